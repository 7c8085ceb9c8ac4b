"""``python -m bench.ws_ab --base REV``: the chat's round trips, this working tree against an earlier
revision, alternated in one run.

A change meant to make the chat faster is measured against the code it replaces, not against a number
from another day: both run the same load (``bench.ws_ratio``'s round-trip client: C connections, each
sending M messages one at a time, fake chat model, a fresh SQLite database per run), the server pinned
to one CPU and the client to the other, in the order base, head, head, base, ... so that a drift of the
machine cancels out. For each run it reports round trips per second and the server's CPU per round
trip, whole and on its event loop's thread alone (the rest is the turn journal's thread).

REV is checked out with ``git worktree`` into a temporary folder and removed afterwards; both sides run
in this virtual environment (``python -m ova`` from each checkout), so REV must work with the packages
installed now. The report goes to ``bench/results/chat-ab-<timestamp>.json``.

    python -m bench.ws_ab --base HEAD~3 [--rounds 4] [--connections 1000] [--messages 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.http_ratio import machine, migrate, server
from bench.ws_ratio import (
    FD_RESERVE,
    RESULTS,
    ROOT,
    Options,
    Served,
    chat_env,
    ova_command,
    pid_listening,
    raise_nofile,
    roundtrip_run,
    table,
)


def order(rounds: int) -> list[str]:
    """Which side runs when: base, head, then head, base, and so on."""
    return [side for index in range(rounds) for side in (("base", "head") if index % 2 == 0 else ("head", "base"))]


def per_message_us(run: dict[str, Any], key: str) -> float:
    """A CPU share (``server_cpu`` or ``server_loop_cpu``) over the run's rate, in microseconds."""
    rps = run["result"]["rps"]
    return run[key] / rps * 1e6 if rps else 0.0


def summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Medians per side: round trips/s and server CPU per round trip (whole, event loop's thread)."""
    return {side: {"rps": statistics.median(run["result"]["rps"] for run in side_runs),
                   "cpu_us": statistics.median(per_message_us(run, "server_cpu") for run in side_runs),
                   "loop_cpu_us": statistics.median(per_message_us(run, "server_loop_cpu") for run in side_runs)}
            for side, side_runs in runs.items() if side_runs}


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """``revision`` checked out (detached) in a temporary folder, removed on the way out."""
    folder = Path(tempfile.mkdtemp(prefix="ova-ab-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), revision],
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)], check=False,
                       capture_output=True)


def one_run(root: Path, options: Options, tmp: Path, index: int) -> dict[str, Any]:
    """A fresh database migrated by ``root``'s code, ``root``'s ``ova serve`` on it, one load run."""
    data = tmp / f"run{index}"
    data.mkdir()
    migrate(data, root)
    env = {**chat_env(data, {"WS_MESSAGES_PER_MINUTE": "100000", "WS_IDLE_TIMEOUT_S": "3600"}),
           "PYTHONPATH": str(root)}
    command = ova_command()
    port = command[command.index("--port") + 1]
    with server(f"ova ({root.name})", command, env, data / "ova.log", 0, cwd=root) as base:
        return roundtrip_run(Served("ova", base, pid_listening(port), data / "ova.log"), options, 1)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--base", required=True, help="the revision to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=4, help="runs per side (4)")
    parser.add_argument("--connections", type=int, default=1000, help="connections per run (1000)")
    parser.add_argument("--messages", type=int, default=30, help="messages per connection (30)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    options = Options(only="throughput", capacity_connections=0, throughput_connections=args.connections,
                      messages=args.messages, rounds=args.rounds, model_rounds=0, client_processes=1,
                      hold_processes=1, compressions=("none",), prompts=0, max_tokens=0, threads=1, pin=True,
                      strict=False)
    raise_nofile(args.connections + FD_RESERVE)
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "head": []}
    with worktree(args.base) as base_root, tempfile.TemporaryDirectory(prefix="ova-bench-ab-") as directory:
        roots = {"base": base_root, "head": ROOT}
        for index, side in enumerate(order(args.rounds)):
            run = one_run(roots[side], options, Path(directory), index)
            runs[side].append(run)
            print(f"   {side} {run['result']['rps']:.0f} round trips/s, server CPU "
                  f"{per_message_us(run, 'server_cpu'):.1f} µs a message "
                  f"(event loop {per_message_us(run, 'server_loop_cpu'):.1f} µs), errors {run['result']['errors']}",
                  flush=True)
    medians = summary(runs)
    print(table(("side", "round trips/s", "server CPU µs/msg", "event loop µs/msg"),
                [(side, f"{m['rps']:.0f}", f"{m['cpu_us']:.1f}", f"{m['loop_cpu_us']:.1f}")
                 for side, m in medians.items()]))
    print(f"head / base: {medians['head']['rps'] / medians['base']['rps']:.2f}× the round trips, "
          f"{medians['head']['cpu_us'] / medians['base']['cpu_us']:.2f}× the server CPU per message")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"chat-ab-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps({"base": args.base, "machine": machine(), "options": vars(args), "runs": runs,
                                "medians": medians}, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make bench`` (its wrk part): ``GET /status`` and ``GET /auth/me`` measured from outside by Debian's
``wrk``, ova against a bare Starlette app (with and without ova's ``X-Request-ID`` header) and, with
``--base REV``, against an earlier revision of ova.

``bench.http_ratio`` measures with its own Python load generator; ``wrk`` is a C client that can push a
server harder, so the two may disagree and both are reported. Each side runs under the same uvicorn
settings (``ova serve``'s), pinned to one CPU while ``wrk`` runs on the other, with a fresh SQLite database,
in an order that alternates (bare, head, base, then base, head, bare...) so that the machine's drift
cancels out. A ratio is the median of the rounds' ratios, each pairing runs made in the same round.

    python -m bench.wrk_ab [--base REV] [--rounds 2] [--connections 64] [--duration 8]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.http_ratio import (
    RESULTS,
    ROOT,
    UVICORN_FLAGS,
    free_port,
    log_in,
    machine,
    migrate,
    ova_env,
    server,
)
from bench.ws_ab import worktree

_RPS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)
_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+([0-9]+)|Socket errors:.*", re.MULTILINE)


def wrk(url: str, *, connections: int, duration_s: float, headers: Sequence[str] = (), cpu: int | None = 1) -> float:
    """Requests per second that ``wrk -t1`` measured; raises if any answer was not a success."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration_s:g}s", *(f"-H{h}" for h in headers), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration_s + 60,
                            preexec_fn=(lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None)
    return requests_per_s(output.stdout)


def requests_per_s(report: str) -> float:
    """The rate in ``wrk``'s report; raises when it counted failed answers or socket errors."""
    found = _RPS.search(report)
    if found is None or _ERRORS.search(report):
        raise RuntimeError(f"wrk found errors or no rate:\n{report}")
    return float(found.group(1))


def order(sides: Sequence[str], round_: int) -> list[str]:
    return list(sides) if round_ % 2 == 0 else list(reversed(sides))


def bare_side(app: str, tmp: Path) -> Any:
    """``bench.bare_app``'s ``app`` under uvicorn with ``ova serve``'s settings, pinned to CPU 0."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", f"bench.bare_app:{app}", "--host", "127.0.0.1", "--port", str(port),
               *UVICORN_FLAGS]
    return server(f"bare ({app})", command, {**os.environ, "PYTHONPATH": str(ROOT)}, tmp / f"{app}.{port}.log", 0)


def ova_side(root: Path, tmp: Path) -> Any:
    """``root``'s ``ova serve`` on a fresh database migrated by ``root``'s code, pinned to CPU 0."""
    tmp.mkdir()
    migrate(tmp, root)
    port = free_port()
    command = [sys.executable, "-m", "ova", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return server(f"ova ({root.name})", command, {**ova_env(tmp), "PYTHONPATH": str(root)}, tmp / "ova.log", 0,
                  cwd=root)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.wrk_ab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="an earlier revision of ova to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=2, help="alternated rounds (2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per wrk run (8)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: `make bench` installs it (apt-get install wrk)", file=sys.stderr)
        return 2
    sides = ["bare", "bare+id", "head", *(["base"] if args.base else [])]
    rates: dict[str, list[float]] = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="ova-wrk-") as directory:
        roots = {"head": ROOT}
        if args.base:
            roots["base"] = stack.enter_context(worktree(args.base))
        for round_ in range(args.rounds):
            for side in order(sides, round_):
                tmp = Path(directory) / f"{side}{round_}"
                bare = {"bare": "app", "bare+id": "app_with_request_id"}.get(side)
                with (bare_side(bare, Path(directory)) if bare else ova_side(roots[side], tmp)) as url:
                    paths = {"/status": ()} if bare else {
                        "/status": (), "/auth/me": (f"Authorization: Bearer {log_in(url)}",)}
                    for path, headers in paths.items():
                        rate = wrk(url + path, connections=args.connections, duration_s=args.duration,
                                   headers=headers)
                        rates.setdefault(f"{side} {path}", []).append(rate)
                        print(f"   round {round_ + 1} {side:<7} {path:<9} {rate:9.0f} requests/s", flush=True)
    ratios = {"head /status ÷ bare /status": _ratios(rates, "head /status", "bare /status"),
              "head /status ÷ bare+id /status": _ratios(rates, "head /status", "bare+id /status"),
              "bare+id /status ÷ bare /status": _ratios(rates, "bare+id /status", "bare /status")}
    if args.base:
        ratios["head /status ÷ base /status"] = _ratios(rates, "head /status", "base /status")
        ratios["head /auth/me ÷ base /auth/me"] = _ratios(rates, "head /auth/me", "base /auth/me")
        ratios["base /status ÷ bare /status"] = _ratios(rates, "base /status", "bare /status")
    for name, values in ratios.items():
        print(f"{name}: {statistics.median(values):.3f}× (rounds: {', '.join(f'{v:.3f}' for v in values)})")
    RESULTS.mkdir(exist_ok=True)
    report = RESULTS / f"wrk-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    report.write_text(json.dumps({"options": vars(args), "machine": machine(), "requests_per_s": rates,
                                "ratios": ratios}, indent=2) + "\n")
    print(f"written to {report.relative_to(ROOT)}")
    return 0


def _ratios(rates: dict[str, list[float]], top: str, bottom: str) -> list[float]:
    return [a / b for a, b in zip(rates[top], rates[bottom], strict=True)]


if __name__ == "__main__":
    sys.exit(main())

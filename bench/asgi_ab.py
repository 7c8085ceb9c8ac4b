"""``python -m bench.asgi_ab``: what ova's own code costs per request, in process, without the network:
``GET /status`` and ``GET /auth/me`` through the whole ASGI app (edge, router, route, use case, SQLite),
against the bare Starlette app and, with ``--base REV``, against an earlier revision of ova.

Over the network (``bench.http_ratio``, ``bench.wrk_ab``) uvicorn, the kernel and the client take most of
the time and this machine's neighbours make the rates swing by a third between runs; in process the app's
own CPU is what is measured, a few microseconds resolve, and a change's cost shows. Each side runs in a
process of its own pinned to one CPU (its ``ova`` imported from its checkout), in the order base, head,
head, base... The figure per side is the median of its rounds' best-of-repeats microseconds per request.

    python -m bench.asgi_ab [--base REV] [--rounds 4] [--requests 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
ADMIN = {"email": "admin@bench.test", "password": "bench-admin-password-1234"}
REPEATS = 5

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


async def per_request_us(app: App, path: str, headers: Sequence[tuple[bytes, bytes]], requests: int) -> float:
    """Microseconds per request, the best of ``REPEATS`` runs of ``requests`` (after a warm-up); every
    answer must be a 200."""
    base: Scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                   "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                   "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*"), *headers],
                   "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    async def run(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            await app({**base, "state": {}}, receive, send)
        return (time.perf_counter() - started) / count * 1e6

    await run(min(requests, 1000))
    best = min([await run(requests) for _ in range(REPEATS)])
    if statuses != {200}:
        raise RuntimeError(f"{path} answered {sorted(statuses)}")
    return best


def migrated_database() -> tuple[Path, dict[str, str]]:
    """A fresh SQLite database at the head of this checkout's migrations, and the settings naming it."""
    tmp = Path(tempfile.mkdtemp(prefix="ova-asgi-"))
    env = {"SQLITE_PATH": str(tmp / "ova.db"), "LOG_LEVEL": "WARNING", "AI_WARM_UP": "false",
           "OVA_ADMIN_EMAIL": ADMIN["email"], "OVA_ADMIN_PASSWORD": ADMIN["password"]}
    subprocess.run([sys.executable, "-m", "ova", "db", "upgrade"], check=True, capture_output=True,
                   env={**os.environ, **env, "OVA_ENV_FILE": str(tmp / "none")})
    return tmp, env


async def measure(requests: int, tmp: Path, env: dict[str, str]) -> dict[str, float]:
    """In the ``ova`` found first on the path (this process's checkout): the bare app and ova."""
    import httpx

    from bench.bare_app import app as bare
    from ova.config import load_settings

    try:
        from ova.entrypoints.app import create_app
    except ImportError:  # revisions before the app moved out of entrypoints/http
        from ova.entrypoints.http.app import create_app  # type: ignore[import-not-found, no-redef, unused-ignore]

    app = create_app(load_settings(env, env_file=tmp / "none"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ova") as client:
            token = (await client.post("/auth/login", json=ADMIN)).json()["access_token"]
        return {
            "bare /status": await per_request_us(bare, "/status", (), requests),
            "/status": await per_request_us(app, "/status", (), requests),
            "/auth/me": await per_request_us(app, "/auth/me", ((b"authorization", f"Bearer {token}".encode()),),
                                             requests),
        }


def one_side(root: Path, requests: int) -> dict[str, float]:
    """A fresh process whose ``ova`` is ``root``'s, pinned to CPU 0."""
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", "--requests", str(requests)],
        env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{ROOT}"}, cwd=root, capture_output=True, text=True,
        check=True, timeout=600, preexec_fn=lambda: os.sched_setaffinity(0, {0}),
    )
    result: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.asgi_ab", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--base", help="an earlier revision of ova to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=4, help="processes per side (4)")
    parser.add_argument("--requests", type=int, default=10000, help="requests per repeat (10000)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure:
        import uvloop

        print(json.dumps(uvloop.run(measure(args.requests, *migrated_database()))))
        return 0
    from bench.ws_ab import order, worktree

    sides = ["base", "head"] if args.base else ["head"]
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    with ExitStack() as stack:
        roots = {"head": ROOT}
        if args.base:
            roots["base"] = stack.enter_context(worktree(args.base))
        for side in order(args.rounds) if args.base else ["head"] * args.rounds:
            run = one_side(roots[side], args.requests)
            runs[side].append(run)
            print(f"   {side}: " + ", ".join(f"{name} {value:.1f} µs" for name, value in run.items()), flush=True)
    medians = {side: {name: statistics.median(run[name] for run in side_runs) for name in side_runs[0]}
               for side, side_runs in runs.items()}
    for side, values in medians.items():
        print(f"{side}: /status {values['/status']:.1f} µs ({values['/status'] / values['bare /status']:.2f}× the "
              f"bare app's {values['bare /status']:.1f} µs), /auth/me {values['/auth/me']:.1f} µs")
    if args.base:
        for name in ("/status", "/auth/me"):
            print(f"head / base {name}: {medians['head'][name] / medians['base'][name]:.3f}× the CPU per request")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"asgi-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps({"options": vars(args), "runs": runs, "medians": medians}, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

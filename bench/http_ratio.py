"""``make bench``: ova's HTTP cost as ratios against baselines measured in the same run.

Machines here are small and noisy, so no absolute number is a target. Every figure is compared with a
baseline measured by the same load generator (``bench.load``, in its own process) with the same
connections and duration, in alternating (ABBA) order; a throughput ratio is the median of the rounds'
ratios, each round pairing runs made side by side:

1. ``GET /status`` throughput of ova vs a bare Starlette app (``bench.bare_app``), both under uvicorn with
   ``ova serve``'s flags (one worker, uvloop, httptools, no access log).      target: ≥ 0.80× bare
2. ``GET /auth/me`` (token, revocation check, database read) vs the same bare route.  target: ≥ 0.35× bare
3. ``GET /status`` latency from a low-rate prober while 20 logins with the default Argon2 parameters
   run continuously, and the same prober with no login load.                   target: p99 < 50 ms

It prints a report and writes it as JSON to ``bench/results/<timestamp>.json``. It exits 0 whether or not
the targets are met, unless ``--strict``.

    python -m bench.http_ratio [--quick] [--duration 5] [--connections 32] [--rounds 3] [--strict]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.load import LoadResult, percentile

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
ADMIN_EMAIL = "admin@bench.test"
ADMIN_PASSWORD = "bench-admin-password-1234"
STATUS_RATIO_TARGET = 0.80
ME_RATIO_TARGET = 0.35
P99_TARGET_MS = 50.0
UVICORN_FLAGS = (  # what `ova serve` passes to uvicorn.run, as command-line flags
    "--workers", "1", "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
    "--proxy-headers", "--timeout-graceful-shutdown", "30",
)


@dataclass(frozen=True)
class Options:
    duration_s: float
    warmup_s: float
    connections: int
    rounds: int
    latency_duration_s: float
    probe_rate: float
    probe_connections: int
    logins: int
    pin: bool
    strict: bool


@dataclass
class Check:
    name: str
    value: float
    target: str
    passed: bool
    valid: bool
    detail: str = ""

    @property
    def verdict(self) -> str:
        if not self.valid:
            return "INVALID"
        return "PASS" if self.passed else "MISS"


@dataclass
class Report:
    started: str
    machine: dict[str, Any]
    options: dict[str, Any]
    throughput: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    latency: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ova_env(tmp: Path) -> dict[str, str]:
    """A throw-away SQLite database, the default Argon2 parameters and login limits out of the way."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DB_", "OVA_", "PASSWORD_HASH_", "LOGIN_", "REGISTER_"))}
    for key in ("DATABASE_URL", "REDIS_URL"):
        env.pop(key, None)
    env.update({
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
        "OVA_ENV_FILE": str(tmp / "none.env"),
        "USE_SQLITE": "true",
        "SQLITE_PATH": str(tmp / "ova.db"),
        "JWT_SECRET_KEY": SECRET,
        "ACCESS_TOKEN_EXPIRE_MINUTES": "240",
        "OVA_ADMIN_EMAIL": ADMIN_EMAIL,
        "OVA_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LOGIN_MAX_FAILURES": "1000",  # the variable's maximum; correct passwords never count anyway
        "REGISTER_MAX_PER_HOUR": "100000",
        "AI_WARM_UP": "false",  # loading models in the background would steal the CPU being measured
        "PYTHONPATH": str(ROOT),
    })
    if os.environ.get("OVA_BENCH_DATABASE_URL"):  # e.g. a MariaDB database, to compare with SQLite
        env["DATABASE_URL"] = os.environ["OVA_BENCH_DATABASE_URL"]
    return env


@contextmanager
def server(name: str, command: Sequence[str], env: Mapping[str, str], log: Path,
           cpu: int | None, cwd: Path = ROOT) -> Iterator[str]:
    """Starts a server on the port in ``command``, waits for ``/status``; always stops it. ``cwd``: the
    checkout whose code ``python -m ...`` runs (another revision's, to compare two)."""
    port = command[command.index("--port") + 1]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(list(command), env=dict(env), cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        try:
            if cpu is not None:  # before the interpreter has started any thread, so all of them inherit it
                os.sched_setaffinity(process.pid, {cpu})
            wait_until_up(name, base, process, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(name: str, base: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/status", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer within {timeout_s} s:\n{log.read_text()[-3000:]}")


def bare_server(tmp: Path, cpu: int | None) -> Any:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1", "--port", str(port),
               *UVICORN_FLAGS]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return server("bare app", command, env, tmp / f"bare.{port}.log", cpu)


def ova_server(tmp: Path, cpu: int | None) -> Any:
    port = free_port()
    command = [sys.executable, "-m", "ova", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return server("ova", command, ova_env(tmp), tmp / f"ova.{port}.log", cpu)


def migrate(tmp: Path, root: Path = ROOT) -> None:
    subprocess.run([sys.executable, "-m", "ova", "db", "upgrade"], env={**ova_env(tmp), "PYTHONPATH": str(root)},
                   cwd=root, check=True, capture_output=True, timeout=120)


def log_in(base: str) -> str:
    response = httpx.post(base + "/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=30)
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


# --- the load generator, in its own process ----------------------------------------------------


def load_command(url: str, *, connections: int, duration_s: float, warmup_s: float, method: str = "GET",
                 headers: Sequence[str] = (), body: str = "", rate: float | None = None, cpu: int | None = None,
                 nice: int = 0, grace_s: float | None = None, samples: bool = False) -> list[str]:
    command = [sys.executable, "-m", "bench.load", "--json", "--url", url, "--method", method,
               "--connections", str(connections), "--duration", str(duration_s), "--warmup", str(warmup_s)]
    for header in headers:
        command += ["--header", header]
    if body:
        command += ["--body", body]
    if rate is not None:
        command += ["--rate", str(rate)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    if nice:
        command += ["--nice", str(nice)]
    if grace_s is not None:
        command += ["--grace", str(grace_s)]
    if samples:
        command.append("--samples")
    return command


def start_load(command: Sequence[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(list(command), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def finish_load(process: subprocess.Popen[str], timeout_s: float) -> LoadResult:
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"load generator exited with {process.returncode}:\n{err[-3000:]}")
    return LoadResult.from_json(json.loads(out))


def run_load(command: Sequence[str], timeout_s: float) -> LoadResult:
    process = start_load(command)
    try:
        return finish_load(process, timeout_s)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def anomalies(results: Sequence[LoadResult]) -> str:
    """Errors and non-200 answers over ``results``, for the report ('' when there are none)."""
    statuses: dict[str, int] = {}
    for result in results:
        for code, count in result.statuses.items():
            if code != "200":
                statuses[code] = statuses.get(code, 0) + count
    errors = sum(result.errors for result in results)
    parts = [f"{count}× {code}" for code, count in sorted(statuses.items())]
    if errors:
        parts.append(f"{errors} transport errors")
    return f"; not counted as valid: {', '.join(parts)}" if parts else ""


def only_ok(result: LoadResult) -> bool:
    """A measurement counts only when every request was answered 200 (a fast 401 is no throughput)."""
    return result.errors == 0 and result.requests > 0 and set(result.statuses) == {"200"}


# --- the scenarios -----------------------------------------------------------------------------


def throughput(options: Options, tmp: Path, report: Report) -> list[Check]:
    server_cpu, client_cpu = (0, 1) if options.pin else (None, None)
    timeout = options.warmup_s + options.duration_s + 60
    runs: dict[str, list[LoadResult]] = {"bare /status": [], "ova /status": [], "ova /auth/me": []}
    with ExitStack() as stack:
        bare = stack.enter_context(bare_server(tmp, server_cpu))
        ova = stack.enter_context(ova_server(tmp, server_cpu))
        auth = f"Authorization: Bearer {log_in(ova)}"
        targets = {
            "bare /status": (bare + "/status", ()),
            "ova /status": (ova + "/status", ()),
            "ova /auth/me": (ova + "/auth/me", (auth,)),
        }
        for round_ in range(options.rounds):
            order = list(targets) if round_ % 2 == 0 else list(reversed(targets))  # ABBA: cancels drift
            for name in order:
                url, headers = targets[name]
                result = run_load(load_command(url, headers=headers, connections=options.connections,
                                               duration_s=options.duration_s, warmup_s=options.warmup_s,
                                               cpu=client_cpu), timeout)
                runs[name].append(result)
                print(f"   round {round_ + 1} {name:<13} {result.summary()}", flush=True)
    report.throughput = {name: [asdict(result) for result in results] for name, results in runs.items()}
    bare_rps = statistics.median(result.rps for result in runs["bare /status"])
    checks = []
    for name, target in (("ova /status", STATUS_RATIO_TARGET), ("ova /auth/me", ME_RATIO_TARGET)):
        app_rps = statistics.median(result.rps for result in runs[name])
        # each round's ratio pairs runs made side by side, so drift in the machine's load cancels out
        ratios = [app.rps / base.rps if base.rps else 0.0
                  for app, base in zip(runs[name], runs["bare /status"], strict=True)]
        ratio = statistics.median(ratios)
        per_round = ", ".join(f"{value:.2f}×" for value in ratios)
        valid = all(only_ok(result) for result in [*runs[name], *runs["bare /status"]])
        checks.append(Check(
            name=f"GET {name.split()[1]} throughput vs bare Starlette", value=round(ratio, 3),
            target=f"≥ {target:.2f}× bare", passed=ratio >= target, valid=valid,
            detail=f"median of the rounds' ratios ({per_round}); median req/s {app_rps:.0f} vs {bare_rps:.0f}"
                   + anomalies([*runs[name], *runs["bare /status"]]),
        ))
    return checks


def pooled(results: Sequence[LoadResult]) -> dict[str, Any]:
    """Every round's latency samples as one distribution."""
    samples = sorted(value for result in results for value in result.samples_ms)
    return {"requests": len(samples), "p50_ms": percentile(samples, 50), "p90_ms": percentile(samples, 90),
            "p99_ms": percentile(samples, 99), "max_ms": samples[-1] if samples else 0.0,
            "errors": sum(result.errors for result in results),
            "p99_ms_per_round": [result.p99_ms for result in results]}


def probe_idle_and_loaded(probe: list[str], background: list[str], rounds: int, timeout: float,
                          label: str) -> tuple[list[LoadResult], list[LoadResult], list[LoadResult]]:
    """Each round: the prober alone, then the prober while ``background`` load runs in its own process.
    Returns the idle probes, the loaded probes and the background runs."""
    idle: list[LoadResult] = []
    loaded: list[LoadResult] = []
    background_runs: list[LoadResult] = []
    for round_ in range(rounds):
        result = run_load(probe, timeout)
        idle.append(result)
        print(f"   round {round_ + 1} idle    /status  {result.summary()}", flush=True)
        process = start_load(background)
        try:
            time.sleep(0.5)
            result = run_load(probe, timeout)
            background_result = finish_load(process, timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        loaded.append(result)
        background_runs.append(background_result)
        print(f"   round {round_ + 1} loaded  /status  {result.summary()}", flush=True)
        print(f"   round {round_ + 1} {label:<16} {background_result.summary()}", flush=True)
    return idle, loaded, background_runs


def latency(options: Options, tmp: Path, report: Report) -> list[Check]:
    probe_window = options.latency_duration_s
    with ova_server(tmp, cpu=None) as ova:  # not pinned: the hashing threads may use every core
        log_in(ova)
        probe = load_command(ova + "/status", connections=options.probe_connections, duration_s=probe_window,
                             warmup_s=1.0, rate=options.probe_rate, samples=True)
        body = json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        # starts before the prober's warm-up and ends after its window, so the window is all under load
        logins = load_command(ova + "/auth/login", method="POST", headers=("Content-Type: application/json",),
                              body=body, connections=options.logins, duration_s=probe_window + 1.5, warmup_s=1.0,
                              nice=5, grace_s=60)
        timeout = probe_window + 90
        idle, loaded, login_runs = probe_idle_and_loaded(probe, logins, options.rounds, timeout, "logins")

    report.latency = {
        "idle": pooled(idle),
        "under_logins": pooled(loaded),
        "logins": [{**asdict(result), "samples_ms": []} for result in login_runs],
        "logins_per_s_median": statistics.median(result.rps for result in login_runs),
    }
    under = report.latency["under_logins"]
    valid = all(only_ok(result) for result in [*idle, *loaded, *login_runs])
    return [Check(
        name=f"GET /status p99 at {options.probe_rate:g} req/s during {options.logins} concurrent logins",
        value=round(under["p99_ms"], 2), target=f"< {P99_TARGET_MS:g} ms", passed=under["p99_ms"] < P99_TARGET_MS,
        valid=valid,
        detail=(f"p50 {under['p50_ms']:.2f} ms, p99 {under['p99_ms']:.2f} ms over {under['requests']} probes; "
                f"no login load: p50 {report.latency['idle']['p50_ms']:.2f} ms, "
                f"p99 {report.latency['idle']['p99_ms']:.2f} ms; "
                f"logins {report.latency['logins_per_s_median']:.1f}/s" + anomalies([*idle, *loaded, *login_runs])),
    )]


# --- the command -------------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.http_ratio", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=None, help="measured seconds per throughput run (5)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds before each run (1)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections (32)")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds; the median wins (3)")
    parser.add_argument("--latency-duration", type=float, default=None,
                        help="measured seconds per latency probe (10)")
    parser.add_argument("--probe-rate", type=float, default=50.0, help="prober requests/s (50)")
    parser.add_argument("--logins", type=int, default=20, help="concurrent logins during the probe (20)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 2 s runs, 1 round")
    parser.add_argument("--no-pin", action="store_true",
                        help="do not pin server and load generator to separate CPUs for the throughput runs")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    quick = args.quick

    def pick(value: float | None, normal: float, short: float) -> float:
        return value if value is not None else (short if quick else normal)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return Options(
        duration_s=pick(args.duration, 5.0, 2.0), warmup_s=pick(args.warmup, 1.0, 0.5),
        connections=args.connections, rounds=int(pick(args.rounds, 3, 1)),
        latency_duration_s=pick(args.latency_duration, 10.0, 3.0), probe_rate=args.probe_rate,
        probe_connections=4, logins=args.logins, pin=not args.no_pin and cpus >= 2, strict=args.strict,
    )


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    report = Report(started=datetime.now(UTC).isoformat(timespec="seconds"), machine=machine(),
                    options=asdict(options))
    print(f"ova bench: {report.machine['cpus']} CPUs, Python {report.machine['python']}, "
          f"{options.connections} connections, {options.duration_s:g} s runs after {options.warmup_s:g} s warm-up, "
          f"{options.rounds} round(s), pinned: {options.pin}", flush=True)
    with tempfile.TemporaryDirectory(prefix="ova-bench-") as directory:
        tmp = Path(directory)
        migrate(tmp)
        print("1-2. throughput (closed loop)", flush=True)
        checks = throughput(options, tmp, report)
        print(f"3. /status latency at {options.probe_rate:g} req/s, idle and during {options.logins} logins",
              flush=True)
        checks += latency(options, tmp, report)
    report.checks = [{**asdict(check), "verdict": check.verdict} for check in checks]
    report.machine["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    print("\nresults")
    for check in checks:
        unit = " ms" if "p99" in check.name else "×"
        print(f"  {check.verdict:<7} {check.name}: {check.value:g}{unit} (target {check.target})\n"
              f"          {check.detail}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    if options.strict and not all(check.passed and check.valid for check in checks):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

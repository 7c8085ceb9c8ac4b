"""``make bench-chat``: the chat over WebSocket, measured against baselines in the same run.

Machines here are small and noisy, so no absolute number is a target: each figure is compared with a
baseline measured in the same run by the same client code (the ``websockets`` library's asyncio client,
in child processes of this one).

1. capacity: N idle chat connections (10,000) held open against ONE ``ova serve`` (fake chat model,
   SQLite in a temporary directory); its VmRSS before and after, per connection; ``/status`` and
   ``/status/websocket`` while they are open. The same for a bare Starlette WebSocket app
   (``bare_app`` below) under uvicorn with ``ova serve``'s settings, for reference.
                                                                      target: < 30 KiB a connection
2. throughput: C connections (1,000) each sending ``--messages`` messages, one at a time (send a
   ``text`` frame, read up to ``typing`` false), against ova (fake model) and the bare app, which
   answers each message with the same three frames; alternating rounds (bare, stored, ova, then the
   other way round), the server pinned to one CPU and the clients to the other. target: ≥ 0.70× bare
   For reference, the same load on ``stored_app``: the bare app that also commits both turns of every
   message through ova's turn journal before answering (what durable storage alone costs), and each
   server's CPU time per round trip.
3. local model: time to first token and tokens/s of the local model (SmolLM2, llama.cpp) through the
   WebSocket (``stream: true``, counting ``chunk`` frames; a fresh chat per question, so no history) vs
   ``llama_cpp.Llama.create_chat_completion(stream=True)`` in a separate process with the same file,
   ``n_ctx``, ``n_threads``, ``max_tokens``, temperature 0 and messages.  target: ≥ 0.90× for both
   (TTFT ratio = direct / WebSocket, rate ratio = WebSocket / direct)

Settings the bench changes from the defaults, and why: ``WS_MESSAGES_PER_MINUTE`` 100000 (the
throughput run sends faster than the default 20 a minute a connection) and ``WS_IDLE_TIMEOUT_S`` 3600
(idle connections must outlive opening 10,000 of them, and a throughput connection waits, idle, until
every other one has had its warm-up answer). The bench raises its own ``RLIMIT_NOFILE``
(soft up to hard); the servers and clients it starts inherit it.

It prints a table per part and writes the report as JSON to ``bench/results/chat-<timestamp>.json``. It
exits 0 whether or not the targets are met, unless ``--strict``.

    python -m bench.ws_ratio [--only capacity|throughput|model] [--connections N] [--messages M]
                             [--rounds 3] [--quick] [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bench.ai_ratio import children, memory_kib, run_on_uvloop
from bench.bare_app import status as bare_status
from bench.http_ratio import UVICORN_FLAGS, Check, free_port, machine, migrate, ova_env, server
from bench.load import LoadResult, percentile

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
KIB_PER_CONNECTION_TARGET = 30.0
THROUGHPUT_RATIO_TARGET = 0.70
MODEL_RATIO_TARGET = 0.90
ERROR_NAME = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Timeout|Exit)")
FD_RESERVE = 512  # descriptors a process needs besides its sockets (files, pipes, the database, the model)
PROVIDERS = ("CHAT", "DETECTION", "CAPTIONING", "ASL", "STT", "TTS")
PROMPTS = (
    "What is the capital of France?",
    "Give me three tips to sleep better.",
    "Explain in two sentences what a rainbow is.",
    "Write a short poem about the sea.",
)


@dataclass(frozen=True)
class Options:
    only: str | None
    capacity_connections: int
    throughput_connections: int
    messages: int
    rounds: int
    model_rounds: int
    client_processes: int
    hold_processes: int
    compressions: tuple[str, ...]
    prompts: int
    max_tokens: int
    threads: int
    pin: bool
    strict: bool
    server_deflate: bool = False


@dataclass
class Report:
    started: str
    machine: dict[str, Any]
    options: dict[str, Any]
    nofile: dict[str, Any] = field(default_factory=dict)
    capacity: dict[str, Any] = field(default_factory=dict)
    throughput: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)


# --- the baseline: a bare Starlette WebSocket app (``uvicorn bench.ws_ratio:bare_app``) --------------


async def bare_chat(websocket: WebSocket) -> None:
    """The chat protocol with nothing behind it: ``connected`` on accept, then for each message
    ``typing`` true, the answer (``Respuesta a: <text>``, ova's fake model's) and ``typing`` false."""
    await websocket.accept()
    await websocket.send_text(json.dumps({"type": "connected", "client_id": "bare", "chat_id": "bare",
                                          "status": "connected"}))
    try:
        while True:
            raw = await websocket.receive_text()
            data = json.loads(raw)
            text = data.get("text", raw) if isinstance(data, dict) else raw
            await websocket.send_text(json.dumps({"type": "typing", "is_typing": True}))
            await websocket.send_text(json.dumps({
                "type": "text", "id": "msg_bare", "text": f"Respuesta a: {text}", "is_user": False,
                "timestamp": datetime.now(UTC).isoformat(),
            }, ensure_ascii=False))
            await websocket.send_text(json.dumps({"type": "typing", "is_typing": False}))
    except WebSocketDisconnect:
        pass


bare_app = Starlette(routes=[Route("/status", bare_status, methods=["GET"]), WebSocketRoute("/ws", bare_chat)])


# --- a second reference: the bare app that also stores both turns (``bench.ws_ratio:stored_app``) ---------


STORED_DB = "OVA_BENCH_STORED_DB"  # the migrated SQLite file the stored app writes to


async def stored_chat(websocket: WebSocket) -> None:
    """``bare_chat`` plus what every chat message costs a service that keeps it: the question and the
    answer each committed through ova's own turn journal (group commit on SQLite, a new chat made with
    its first turn) before the answer is sent. Nothing else of ova: no limits, context, model or metrics.
    What ova spends beyond this app is its own machinery; what this app spends beyond ``bare_chat`` is
    durable storage. (Its loop repeats ``bare_chat``'s on purpose: a shared helper would add a call
    per message to the baseline being measured.)"""
    from ova.domain.chat import Speaker, Turn

    journal = websocket.app.state.journal
    await websocket.accept()
    chat_id = os.urandom(12).hex()
    await websocket.send_text(json.dumps({"type": "connected", "client_id": "stored", "chat_id": chat_id,
                                          "status": "connected"}))
    created = False
    try:
        while True:
            raw = await websocket.receive_text()
            data = json.loads(raw)
            text = data.get("text", raw) if isinstance(data, dict) else raw
            await websocket.send_text(json.dumps({"type": "typing", "is_typing": True}))
            asked = datetime.now(UTC)
            await journal.append(chat_id, Turn(Speaker.USER, text, asked), owner_id=None, title=text[:60],
                                 created_at=None if created else asked)
            created = True
            answer = Turn(Speaker.ASSISTANT, f"Respuesta a: {text}", datetime.now(UTC))
            await journal.append(chat_id, answer, owner_id=None, title="")
            await websocket.send_text(json.dumps({
                "type": "text", "id": "msg_stored", "text": answer.text, "is_user": False,
                "timestamp": answer.at.isoformat(),
            }, ensure_ascii=False))
            await websocket.send_text(json.dumps({"type": "typing", "is_typing": False}))
    except WebSocketDisconnect:
        pass


@asynccontextmanager
async def stored_lifespan(app: Starlette) -> AsyncIterator[None]:
    from ova.adapters.sqlalchemy.engine import create_engine
    from ova.adapters.sqlalchemy.turn_journal import SqlTurnJournal

    engine = create_engine(f"sqlite+aiosqlite:///{os.environ[STORED_DB]}")
    app.state.journal = SqlTurnJournal(engine)
    try:
        yield
    finally:
        await app.state.journal.aclose()
        await engine.dispose()


stored_app = Starlette(routes=[Route("/status", bare_status, methods=["GET"]), WebSocketRoute("/ws", stored_chat)],
                       lifespan=stored_lifespan)


# --- pure helpers --------------------------------------------------------------------------------


def raise_nofile(wanted: int) -> dict[str, Any]:
    """Raises this process's soft ``RLIMIT_NOFILE`` towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    new_soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {"soft_before": soft, "hard": hard, "soft": new_soft, "wanted": wanted}


def connections_possible(wanted: int, nofile: int, processes: int, reserve: int = FD_RESERVE) -> int:
    """How many of ``wanted`` connections fit: the server holds one descriptor per connection and each of
    ``processes`` client processes holds its share; every process keeps ``reserve`` for everything else."""
    per_process = max(0, nofile - reserve)
    return max(0, min(wanted, per_process, per_process * processes))


def split_evenly(total: int, parts: int) -> list[int]:
    """``total`` spread over at most ``parts`` non-empty shares that differ by at most one."""
    parts = max(1, min(parts, total)) if total > 0 else 1
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)] if total > 0 else []


def ends_reply(frame: Mapping[str, Any], closing_seen: bool) -> bool:
    """A message's reply ends with ``typing`` false after its closing frame (``text`` or ``error``)."""
    return closing_seen and frame.get("type") == "typing" and frame.get("is_typing") is False


def merge(parts: Sequence[LoadResult], elapsed_s: float) -> LoadResult:
    """Several client processes' results as one: their samples pooled, the rate over ``elapsed_s``."""
    samples = sorted(value for part in parts for value in part.samples_ms)
    statuses: Counter[str] = Counter()
    for part in parts:
        statuses.update(part.statuses)
    return LoadResult(
        requests=len(samples), duration_s=round(elapsed_s, 3), rps=len(samples) / elapsed_s if elapsed_s > 0 else 0.0,
        p50_ms=percentile(samples, 50), p90_ms=percentile(samples, 90), p99_ms=percentile(samples, 99),
        max_ms=samples[-1] if samples else 0.0, errors=sum(part.errors for part in parts),
        statuses=dict(sorted(statuses.items())),
    )


def stream_timing(sent_at: float, piece_times: Sequence[float]) -> dict[str, float | int | None]:
    """Time to the first piece and pieces (tokens) per second after it, from a stream's timestamps."""
    if not piece_times:
        return {"ttft_s": None, "tokens": 0, "tokens_per_s": None}
    streaming = piece_times[-1] - piece_times[0]
    rate = (len(piece_times) - 1) / streaming if len(piece_times) > 1 and streaming > 0 else None
    return {"ttft_s": piece_times[0] - sent_at, "tokens": len(piece_times), "tokens_per_s": rate}


def kib_per_connection(before_kib: int, after_kib: int, connections: int) -> float:
    return (after_kib - before_kib) / connections if connections else 0.0


# --- processes -----------------------------------------------------------------------------------


def ws_max_size() -> int:
    """What ``ova serve`` passes to uvicorn as ``ws_max_size`` with the default limits."""
    from ova.config.settings import ChatSettings
    from ova.entrypoints.websocket.frame_reading import max_frame_bytes

    chat = ChatSettings()
    return max_frame_bytes(chat.max_text_bytes, chat.max_audio_bytes) + 1024


def chat_env(tmp: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """``ova_env`` (throw-away SQLite, logs at WARNING, no warm-up) with the chat settings at their
    defaults except ``extra``, and every AI provider fake unless ``extra`` says otherwise."""
    env = {key: value for key, value in ova_env(tmp).items()
           if not key.startswith(("CHAT_", "WS_")) and not key.endswith("_PROVIDER")}
    env.update({f"{capability}_PROVIDER": "fake" for capability in PROVIDERS})
    env.update(extra)
    return env


@dataclass(frozen=True)
class Served:
    name: str
    base: str
    pid: int
    log: Path

    @property
    def ws_url(self) -> str:
        return self.base.replace("http://", "ws://", 1) + "/ws"


def pid_listening(port: str) -> int:
    """The child of this process started with ``--port <port>``."""
    for pid in children(os.getpid()):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--port" in argv and argv[argv.index(b"--port") + 1].decode() == port:
            return pid
    raise RuntimeError(f"no child process serves port {port}")


@contextmanager
def start(name: str, command: Sequence[str], env: Mapping[str, str], tmp: Path, cpu: int | None) -> Iterator[Served]:
    port = command[command.index("--port") + 1]
    log = tmp / f"{name.replace(' ', '-')}.{port}.log"
    with server(name, command, env, log, cpu) as base:
        yield Served(name, base, pid_listening(port), log)


def logged_errors(text: str) -> Counter[str]:
    """The exceptions a server logged, by the final line of each traceback (``Name: message``), the
    message cut at 80 characters."""
    found: Counter[str] = Counter()
    for line in text.splitlines():
        name, sep, message = line.partition(": ")
        if sep and not line.startswith((" ", "\t")) and ERROR_NAME.fullmatch(name):
            found[f"{name}: {message[:80]}"] += 1
    return found


def ova_command() -> list[str]:
    return [sys.executable, "-m", "ova", "serve", "--host", "127.0.0.1", "--port", str(free_port())]


def bare_command(deflate: bool, app: str = "bare_app") -> list[str]:
    """The bare app (or ``stored_app``) under uvicorn with ``ova serve``'s settings, permessage-deflate
    included."""
    return [sys.executable, "-m", "uvicorn", f"bench.ws_ratio:{app}", "--host", "127.0.0.1",
            "--port", str(free_port()), *UVICORN_FLAGS, "--ws-max-size", str(ws_max_size()),
            "--ws-per-message-deflate", "true" if deflate else "false"]


def cpu_seconds(pid: int, *, stat: str = "stat") -> float:
    """User + system CPU time of a process (all its threads), from ``/proc/<pid>/stat``; with ``stat``
    ``task/<pid>/stat``, of its main thread alone (the event loop's, in a uvicorn server)."""
    fields = Path(f"/proc/{pid}/{stat}").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main_thread_cpu_seconds(pid: int) -> float:
    return cpu_seconds(pid, stat=f"task/{pid}/stat")


class Child:
    """A client process of this module (``--child ...``) that talks in JSON lines: it prints one when
    it is ready, waits for a line on stdin, and prints one more when it is done."""

    def __init__(self, args: Sequence[str], cpu: int | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.ws_ratio", *args], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if cpu is not None:
            os.sched_setaffinity(self.process.pid, {cpu})

    def read(self, timeout_s: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout_s):
                raise TimeoutError(f"client process silent for {timeout_s:g} s")
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=10)
            assert self.process.stderr is not None
            raise RuntimeError(f"client process exited with {self.process.returncode}:\n"
                               f"{self.process.stderr.read()[-3000:]}")
        data: dict[str, Any] = json.loads(line)
        return data

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@contextmanager
def clients(args_per_child: Sequence[Sequence[str]], cpu: int | None = None) -> Iterator[list[Child]]:
    started = [Child(args, cpu) for args in args_per_child]
    try:
        yield started
    finally:
        for child in started:
            child.stop()


# --- the client processes ------------------------------------------------------------------------


def connect_options(compression: str) -> dict[str, Any]:
    # no client keepalive pings (the server still pings every 20 s and the client answers)
    return {"ping_interval": None, "compression": None if compression == "none" else "deflate",
            "open_timeout": 120, "close_timeout": 5, "max_size": 2**22}


async def open_chats(url: str, count: int, compression: str, concurrency: int = 64) -> tuple[list[Any], Counter[str]]:
    """Opens ``count`` chat connections, at most ``concurrency`` handshakes at a time, each up to its
    ``connected`` frame. Returns the open ones and the failures by kind."""
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(concurrency)
    options = connect_options(compression)

    async def open_one() -> Any:
        async with gate:
            connection = await connect(url, **options)
            frame = json.loads(await connection.recv())
            if frame.get("type") != "connected":
                await connection.close()
                raise RuntimeError(f"first frame {frame!r}")
            return connection

    results = await asyncio.gather(*(open_one() for _ in range(count)), return_exceptions=True)
    failures = Counter(type(result).__name__ for result in results if isinstance(result, BaseException))
    return [result for result in results if not isinstance(result, BaseException)], failures


async def close_all(connections: Sequence[Any], concurrency: int = 256) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def close_one(connection: Any) -> None:
        async with gate:
            await connection.close()

    await asyncio.gather(*(close_one(c) for c in connections), return_exceptions=True)


def emit(data: Mapping[str, Any]) -> None:
    print(json.dumps(data), flush=True)


async def wait_for_line() -> str:
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def child_hold(args: argparse.Namespace) -> None:
    """Opens ``--connections`` idle chats, reports, holds them until told, reports how many were still
    open, closes them."""
    from websockets.protocol import State

    began = time.perf_counter()
    connections, failures = await open_chats(args.url, args.connections, args.compression)
    emit({"opened": len(connections), "failures": dict(failures), "open_s": round(time.perf_counter() - began, 2)})
    await wait_for_line()
    alive = sum(1 for connection in connections if connection.state is State.OPEN)
    began = time.perf_counter()
    await close_all(connections)
    emit({"alive": alive, "close_s": round(time.perf_counter() - began, 2)})


async def child_roundtrips(args: argparse.Namespace) -> None:
    """Opens ``--connections`` chats and sends one warm-up message on each; reports ready; at the go
    line each connection sends ``--messages`` messages one after the other; reports every latency."""
    connections, failures = await open_chats(args.url, args.connections, args.compression)
    if failures:
        raise RuntimeError(f"could not open every connection: {dict(failures)}")
    samples: list[float] = []
    statuses: Counter[str] = Counter()
    errors = 0

    async def converse(connection: Any, index: int, messages: int, keep: bool) -> None:
        nonlocal errors
        for number in range(messages):
            text = json.dumps({"type": "text", "text": f"hola {index}-{number}"})
            began = time.perf_counter()
            closing: str | None = None
            try:
                await connection.send(text)
                while True:
                    frame = json.loads(await connection.recv())
                    if ends_reply(frame, closing is not None):
                        break
                    if frame.get("type") in ("text", "error"):
                        closing = frame["type"] if frame["type"] == "text" else f"error:{frame.get('code')}"
            except Exception:  # the connection closed or broke: counted, and this connection stops
                errors += keep
                return
            if keep:
                samples.append((time.perf_counter() - began) * 1000)
                statuses[closing or "none"] += 1

    await asyncio.gather(*(converse(c, i, 1, False) for i, c in enumerate(connections)))  # warm-up
    errors = 0
    emit({"ready": len(connections)})
    await wait_for_line()
    cpu_began, began_wall, began = time.process_time(), time.time(), time.perf_counter()
    await asyncio.gather(*(converse(c, i, args.messages, True) for i, c in enumerate(connections)))
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    samples.sort()
    result = LoadResult(
        requests=len(samples), duration_s=round(elapsed, 3), rps=len(samples) / elapsed,
        p50_ms=percentile(samples, 50), p90_ms=percentile(samples, 90), p99_ms=percentile(samples, 99),
        max_ms=samples[-1] if samples else 0.0, errors=errors, statuses=dict(statuses),
        samples_ms=[round(value, 3) for value in samples],
    )
    emit({"result": asdict(result), "began": began_wall, "ended": began_wall + elapsed, "cpu_s": round(cpu, 3)})
    await close_all(connections)


def child_direct(args: argparse.Namespace) -> None:
    """``llama_cpp.Llama`` as ``LlamaChatModel`` builds it, asked the same messages as the server's model
    (``fit_prompt`` of the system prompt and the question, no history); one warm-up question first, then
    each question read from stdin is answered with one JSON line."""
    from llama_cpp import Llama

    from bench.chat_batching import chunk_content as _content
    from ova.adapters.ai.local.chat import fit_prompt
    from ova.application.ports.chat import ChatPrompt

    llm = Llama(model_path=args.model_path, n_ctx=args.context_window, n_threads=args.threads, verbose=False)

    def ask(question: str) -> dict[str, Any]:
        messages, max_tokens = fit_prompt(
            ChatPrompt(args.system_prompt, [], question),
            lambda text: len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)),
            context_window=args.context_window, max_tokens=args.max_tokens,
        )
        sent_at = time.perf_counter()
        times: list[float] = []
        pieces: list[str] = []
        for chunk in llm.create_chat_completion(messages=messages, stream=True, max_tokens=max_tokens,
                                                temperature=0.0):
            if piece := _content(chunk):
                times.append(time.perf_counter())
                pieces.append(piece)
        return {**stream_timing(sent_at, times), "total_s": time.perf_counter() - sent_at, "text": "".join(pieces)}

    ask(args.warmup_prompt)
    emit({"ready": True})
    while line := sys.stdin.readline().strip():  # one question (a JSON string) a line; an empty line ends
        emit(ask(json.loads(line)))


# --- part 1: capacity ----------------------------------------------------------------------------


def settle_rss(pid: int, seconds: float = 2.0) -> int:
    time.sleep(seconds)
    return memory_kib(pid)["rss_kib"]


def hold_connections(served: Served, total: int, processes: int, compression: str) -> dict[str, Any]:
    """Opens ``total`` idle chats from ``processes`` client processes and measures the server meanwhile."""
    before = settle_rss(served.pid)
    shares = split_evenly(total, processes)
    args = [["--child", "hold", "--url", served.ws_url, "--connections", str(n), "--compression", compression]
            for n in shares]
    began = time.perf_counter()
    with clients(args) as started:
        opened = [child.read(timeout_s=600) for child in started]
        open_s = time.perf_counter() - began
        count = sum(report["opened"] for report in opened)
        failures: Counter[str] = Counter()
        for report in opened:
            failures.update(report["failures"])
        after = settle_rss(served.pid)
        status_began = time.perf_counter()
        status = httpx.get(served.base + "/status", timeout=30)
        status_ms = (time.perf_counter() - status_began) * 1000
        reported = httpx.get(served.base + "/status/websocket", timeout=30)
        websocket_status = reported.json() if reported.status_code == 200 else {"status_code": reported.status_code}
        for child in started:
            child.tell("close")
        closed = [child.read(timeout_s=300) for child in started]
    alive = sum(report["alive"] for report in closed)
    after_close = settle_rss(served.pid)
    return {
        "connections": count, "wanted": total, "client_processes": len(shares), "failures": dict(failures),
        "open_s": round(open_s, 2), "rss_before_kib": before, "rss_after_kib": after,
        "rss_after_close_kib": after_close, "kib_per_connection": round(kib_per_connection(before, after, count), 2),
        "status_code": status.status_code, "status_ms": round(status_ms, 2), "websocket_status": websocket_status,
        "still_open_at_close": alive,
    }


def capacity(options: Options, tmp: Path, report: Report) -> list[Check]:
    nofile = report.nofile["soft"]
    total = connections_possible(options.capacity_connections, nofile, options.hold_processes)
    if total < options.capacity_connections:
        print(f"   RLIMIT_NOFILE {nofile} (hard {report.nofile['hard']}) allows only {total} connections "
              f"of the {options.capacity_connections} asked for", flush=True)
    env = chat_env(tmp, {"WS_IDLE_TIMEOUT_S": "3600", "WS_COMPRESSION": str(options.server_deflate).lower()})
    rows: list[dict[str, Any]] = []
    for compression in options.compressions:
        for name, command in (("ova", ova_command()), ("bare", bare_command(options.server_deflate))):
            with start(name, command, env if name == "ova" else {**os.environ, "PYTHONPATH": str(ROOT)}, tmp,
                       cpu=None) as served:
                hold_connections(served, 50, 1, compression)  # first-use allocations, not per connection
                row = {"server": name, "compression": compression,
                       **hold_connections(served, total, options.hold_processes, compression)}
            rows.append(row)
            print(f"   {name:<5} compression {compression:<7} {row['connections']} connections in "
                  f"{row['open_s']:.1f} s, {row['kib_per_connection']:.1f} KiB each", flush=True)
    report.capacity = {"connections": total, "rows": rows}
    print(table(
        ("server", "client offer", "connections", "open s", "RSS before MiB", "RSS after MiB", "KiB/conn",
         "after close MiB", "/status", "/status/websocket active"),
        [(row["server"], row["compression"], row["connections"], f"{row['open_s']:.1f}",
          f"{row['rss_before_kib'] / 1024:.1f}", f"{row['rss_after_kib'] / 1024:.1f}",
          f"{row['kib_per_connection']:.1f}", f"{row['rss_after_close_kib'] / 1024:.1f}",
          f"{row['status_code']} in {row['status_ms']:.0f} ms",
          row["websocket_status"].get("active_connections", "-")) for row in rows],
    ), flush=True)
    checks = []
    for compression in options.compressions:
        ova, bare = (next(r for r in rows if r["server"] == name and r["compression"] == compression)
                     for name in ("ova", "bare"))
        reported = ova["websocket_status"].get("active_connections")
        valid = (ova["connections"] == total and not ova["failures"] and ova["status_code"] == 200
                 and reported == ova["connections"] and ova["still_open_at_close"] == ova["connections"])
        checks.append(Check(
            name=f"ova serve memory per idle chat connection ({ova['connections']}, client offer {compression})",
            value=ova["kib_per_connection"], target=f"< {KIB_PER_CONNECTION_TARGET:g} KiB",
            passed=ova["kib_per_connection"] < KIB_PER_CONNECTION_TARGET, valid=valid,
            detail=(f"bare Starlette: {bare['kib_per_connection']:.1f} KiB; /status answered {ova['status_code']} "
                    f"in {ova['status_ms']:.1f} ms; /status/websocket active_connections {reported}; still open "
                    f"at the end: {ova['still_open_at_close']}; failures {ova['failures'] or 'none'}"),
        ))
    return checks


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table, every column as wide as its widest cell, numbers right-aligned."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(str(header)), *(len(row[index]) for row in cells)) for index, header in enumerate(headers)]

    def line(values: Sequence[str], numeric: Sequence[bool]) -> str:
        return "   " + "  ".join(value.rjust(width) if right else value.ljust(width)
                                 for value, width, right in zip(values, widths, numeric, strict=True)).rstrip()

    numeric = [all(_is_number(row[index]) for row in cells) and bool(cells) for index in range(len(headers))]
    return "\n".join([line(list(headers), numeric), line(["-" * width for width in widths], numeric),
                      *(line(row, numeric) for row in cells)])


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("×%"))
    except ValueError:
        return False
    return True


# --- part 2: throughput --------------------------------------------------------------------------


def roundtrip_run(served: Served, options: Options, client_cpu: int | None) -> dict[str, Any]:
    shares = split_evenly(options.throughput_connections, options.client_processes)
    args = [["--child", "roundtrips", "--url", served.ws_url, "--connections", str(n), "--messages",
             str(options.messages), "--compression", options.compressions[0]] for n in shares]
    with clients(args, client_cpu) as started:
        for child in started:
            child.read(timeout_s=600)
        server_cpu, loop_cpu = cpu_seconds(served.pid), main_thread_cpu_seconds(served.pid)
        for child in started:
            child.tell("go")
        parts = [child.read(timeout_s=900) for child in started]
        server_cpu = cpu_seconds(served.pid) - server_cpu
        loop_cpu = main_thread_cpu_seconds(served.pid) - loop_cpu
    elapsed = max(part["ended"] for part in parts) - min(part["began"] for part in parts)
    result = merge([LoadResult.from_json(part["result"]) for part in parts], elapsed)
    return {"result": asdict(result), "server_cpu": round(server_cpu / elapsed, 3),
            "server_loop_cpu": round(loop_cpu / elapsed, 3),
            "client_cpu": round(sum(part["cpu_s"] for part in parts) / elapsed, 3), "client_processes": len(shares)}


SERVERS = ("bare", "stored", "ova")


def throughput(options: Options, tmp: Path, report: Report) -> list[Check]:
    """Round trips against the bare app, the stored app (bare + ova's turn journal) and ova, in
    alternating orders (ABC, CBA, ...: a drift of the machine cancels out)."""
    server_cpu, client_cpu = (0, 1) if options.pin else (None, None)
    env = chat_env(tmp, {"WS_MESSAGES_PER_MINUTE": "100000", "WS_IDLE_TIMEOUT_S": "3600",
                         "WS_COMPRESSION": str(options.server_deflate).lower()})
    stored_dir = tmp / "stored"
    stored_dir.mkdir(exist_ok=True)
    migrate(stored_dir)
    bare_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in SERVERS}
    with ExitStack() as stack:
        servers = {
            "bare": stack.enter_context(start("bare", bare_command(options.server_deflate), bare_env, tmp, server_cpu)),
            "stored": stack.enter_context(start("stored", bare_command(options.server_deflate, "stored_app"),
                                                {**bare_env, STORED_DB: str(stored_dir / "ova.db")}, tmp, server_cpu)),
            "ova": stack.enter_context(start("ova", ova_command(), env, tmp, server_cpu)),
        }
        for round_ in range(options.rounds):
            for name in SERVERS if round_ % 2 == 0 else reversed(SERVERS):
                run = roundtrip_run(servers[name], options, client_cpu)
                runs[name].append(run)
                result = LoadResult.from_json(run["result"])
                print(f"   round {round_ + 1} {name:<6} {result.requests} round trips in {result.duration_s:.1f} s: "
                      f"{result.rps:.0f}/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors "
                      f"{result.errors}, closing frames {result.statuses}; CPU: server {run['server_cpu']:.0%}, "
                      f"clients {run['client_cpu']:.0%}", flush=True)
    logged = {name: logged_errors(served.log.read_text(errors="replace")) for name, served in servers.items()}
    print(table(
        ("round", "server", "round trips", "seconds", "per s", "p50 ms", "p99 ms", "errors", "closing frames",
         "server CPU", "client CPU"),
        [(index + 1, name, r["result"]["requests"], f"{r['result']['duration_s']:.1f}", f"{r['result']['rps']:.0f}",
          f"{r['result']['p50_ms']:.1f}", f"{r['result']['p99_ms']:.1f}", r["result"]["errors"],
          " ".join(f"{k}:{v}" for k, v in r["result"]["statuses"].items()), f"{r['server_cpu']:.0%}",
          f"{r['client_cpu']:.0%}") for index in range(options.rounds) for name in SERVERS
         for r in (runs[name][index],)],
    ), flush=True)

    def ratios(numerator: str, denominator: str) -> list[float]:
        return [top["result"]["rps"] / bottom["result"]["rps"] if bottom["result"]["rps"] else 0.0
                for top, bottom in zip(runs[numerator], runs[denominator], strict=True)]

    def median_of(name: str, key: str) -> float:
        return statistics.median(run["result"][key] for run in runs[name])

    def cpu_per_message_us(name: str, key: str = "server_cpu") -> float:
        """The server's CPU time per round trip (its CPU share over its rate), median of the rounds;
        ``server_loop_cpu``: its event loop's thread alone (the rest is the journal's thread)."""
        return statistics.median(run[key] / run["result"]["rps"] * 1e6 if run["result"]["rps"] else 0.0
                                 for run in runs[name])

    versus_bare, versus_stored = ratios("ova", "bare"), ratios("ova", "stored")
    stored_versus_bare = ratios("stored", "bare")
    ratio = statistics.median(versus_bare)
    report.throughput = {
        "runs": runs, "server_errors": {name: dict(errors) for name, errors in logged.items()},
        "ratios": {"ova/bare": versus_bare, "ova/stored": versus_stored, "stored/bare": stored_versus_bare},
        "server_cpu_us_per_message": {name: round(cpu_per_message_us(name), 1) for name in SERVERS},
        "server_loop_cpu_us_per_message": {name: round(cpu_per_message_us(name, "server_loop_cpu"), 1)
                                           for name in SERVERS},
    }
    expected = options.throughput_connections * options.messages
    valid = all(run["result"]["requests"] == expected and run["result"]["errors"] == 0
                and set(run["result"]["statuses"]) == {"text"} for name in SERVERS for run in runs[name])
    for name, errors in logged.items():
        for error, count in errors.most_common(5):
            print(f"   {name} logged {count}× {error}", flush=True)
    ova_errors = "; ".join(f"{count}× {error}" for error, count in logged["ova"].most_common(3))
    cpu, loop = report.throughput["server_cpu_us_per_message"], report.throughput["server_loop_cpu_us_per_message"]
    return [Check(
        name=f"chat round trips/s, {options.throughput_connections} connections, fake model, vs bare Starlette",
        value=round(ratio, 3), target=f"≥ {THROUGHPUT_RATIO_TARGET:.2f}× bare", passed=ratio >= THROUGHPUT_RATIO_TARGET,
        valid=valid,
        detail=(f"median of the rounds' ratios ({', '.join(f'{r:.2f}×' for r in versus_bare)}); median "
                f"{median_of('ova', 'rps'):.0f}/s vs {median_of('bare', 'rps'):.0f}/s; p50 "
                f"{median_of('ova', 'p50_ms'):.1f} vs {median_of('bare', 'p50_ms'):.1f} ms, p99 "
                f"{median_of('ova', 'p99_ms'):.1f} vs {median_of('bare', 'p99_ms'):.1f} ms; "
                f"server CPU per round trip (of it on the event loop's thread): ova {cpu['ova']:.0f} µs "
                f"({loop['ova']:.0f}), bare {cpu['bare']:.0f} µs ({loop['bare']:.0f}), bare + stored turns "
                f"{cpu['stored']:.0f} µs ({loop['stored']:.0f}); reference: bare + stored turns "
                f"{statistics.median(stored_versus_bare):.2f}× bare, ova {statistics.median(versus_stored):.2f}× "
                f"bare + stored turns; "
                f"server on CPU {server_cpu}, {options.client_processes} client process(es) on CPU {client_cpu}"
                + (f"; ova logged {ova_errors}" if ova_errors else "")),
    )]


# --- part 3: the local model ---------------------------------------------------------------------


async def ask_over_websocket(url: str, question: str) -> dict[str, Any]:
    """One question on a fresh chat (no history), streamed; times from the send to each ``chunk``."""
    from websockets.asyncio.client import connect

    async with connect(url, **connect_options("deflate")) as connection:
        json.loads(await connection.recv())  # connected
        sent_at = time.perf_counter()
        await connection.send(json.dumps({"type": "text", "text": question, "stream": True}))
        times: list[float] = []
        closing: dict[str, Any] | None = None
        while True:
            frame = json.loads(await connection.recv())
            if frame["type"] == "chunk":
                times.append(time.perf_counter())
            elif frame["type"] in ("text", "error"):
                closing = frame
            elif ends_reply(frame, closing is not None):
                break
    assert closing is not None
    if closing["type"] != "text":
        raise RuntimeError(f"the model answered {closing}")
    return {**stream_timing(sent_at, times), "total_s": time.perf_counter() - sent_at, "text": closing["text"]}


def ask_all(url: str, questions: Sequence[str]) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        return [await ask_over_websocket(url, question) for question in questions]

    answers: list[dict[str, Any]] = run_on_uvloop(run())  # type: ignore[arg-type]
    return answers


def histogram_totals(metrics: str, name: str) -> tuple[float, float]:
    """The ``_sum`` and ``_count`` of a Prometheus histogram in a ``/metrics`` text (0, 0 if absent)."""
    totals = {"sum": 0.0, "count": 0.0}
    for line in metrics.splitlines():
        key, _, value = line.partition(" ")
        for part in totals:
            if key == f"{name}_{part}":
                totals[part] = float(value)
    return totals["sum"], totals["count"]


def model_ttft_totals(base: str) -> tuple[float, float]:
    return histogram_totals(httpx.get(base + "/metrics", timeout=30).text, "ova_chat_time_to_first_token_seconds")


def summarize(answers: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    return {
        "ttft_ms": statistics.median(a["ttft_s"] for a in answers) * 1000,
        "tokens_per_s": statistics.median(a["tokens_per_s"] for a in answers if a["tokens_per_s"]),
        "tokens": statistics.median(a["tokens"] for a in answers),
        "total_ms": statistics.median(a["total_s"] for a in answers) * 1000,
    }


def model(options: Options, tmp: Path, report: Report) -> list[Check]:
    """Each question is asked through the WebSocket and of llama_cpp directly, one right after the other
    (which goes first alternates), so that the machine's drift cancels out within each pair."""
    from ova.adapters.ai.local.chat import bundled_model_path
    from ova.config.settings import ChatSettings

    chat = ChatSettings()
    questions = [PROMPTS[index % len(PROMPTS)] for index in range(options.prompts)]
    env = chat_env(tmp, {"CHAT_PROVIDER": "local", "CHAT_TEMPERATURE": "0", "CHAT_MAX_TOKENS": str(options.max_tokens),
                         "CHAT_THREADS": str(options.threads), "CHAT_CONTEXT_WINDOW": str(chat.context_window)})
    direct_args = ["--child", "direct", "--model-path", bundled_model_path(), "--threads", str(options.threads),
                   "--context-window", str(chat.context_window), "--max-tokens", str(options.max_tokens),
                   "--system-prompt", chat.system_prompt, "--warmup-prompt", "Say hello."]
    pairs: list[dict[str, Any]] = []
    with start("ova local chat", ova_command(), env, tmp, cpu=None) as served, clients([direct_args]) as (direct,):
        ask_all(served.ws_url, ["Say hello."])  # loads the model
        direct.read(timeout_s=300)
        for round_ in range(options.model_rounds):
            for index, question in enumerate(questions):
                pair: dict[str, Any] = {"round": round_ + 1, "question": question}
                first_ws = (round_ + index) % 2 == 0
                for name in ("ws", "direct") if first_ws else ("direct", "ws"):
                    if name == "ws":
                        before = model_ttft_totals(served.base)
                        pair["ws"] = ask_all(served.ws_url, [question])[0]
                        after = model_ttft_totals(served.base)
                        # the server's own clock, from asking the model to its first piece (its telemetry)
                        pair["ws"]["model_ttft_s"] = (after[0] - before[0]) if after[1] > before[1] else None
                    else:
                        direct.tell(json.dumps(question))
                        pair["direct"] = direct.read(timeout_s=300)
                pairs.append(pair)
        direct.tell("")
    report.model = {"threads": options.threads, "max_tokens": options.max_tokens, "pairs": pairs}
    rows = []
    for round_ in range(1, options.model_rounds + 1):
        ws_answers = [p["ws"] for p in pairs if p["round"] == round_]
        direct_answers = [p["direct"] for p in pairs if p["round"] == round_]
        inside = [a["model_ttft_s"] for a in ws_answers if a["model_ttft_s"] is not None]
        for label, answers in (("WebSocket", ws_answers), ("llama_cpp direct", direct_answers)):
            line = summarize(answers)
            rows.append((round_, label, f"{line['ttft_ms']:.1f}", f"{line['tokens_per_s']:.1f}",
                         f"{line['tokens']:.0f}", f"{line['total_ms']:.0f}",
                         f"{statistics.median(inside) * 1000:.1f}" if label == "WebSocket" and inside else "-"))
    print(table(("round", "path", "TTFT ms", "tokens/s", "tokens", "ms an answer", "model TTFT inside ova ms"), rows),
          flush=True)
    ttft = [p["direct"]["ttft_s"] / p["ws"]["ttft_s"] for p in pairs]
    rate = [p["ws"]["tokens_per_s"] / p["direct"]["tokens_per_s"] for p in pairs
            if p["ws"]["tokens_per_s"] and p["direct"]["tokens_per_s"]]
    overhead = [(p["ws"]["ttft_s"] - p["ws"]["model_ttft_s"]) * 1000 for p in pairs if p["ws"]["model_ttft_s"]]
    same = all(p["ws"]["text"].strip() == p["direct"]["text"].strip() for p in pairs)
    note = (f"{options.threads} threads, max_tokens {options.max_tokens}, temperature 0, {len(pairs)} pairs; "
            f"WebSocket TTFT minus the model's TTFT inside ova: median "
            f"{statistics.median(overhead) if overhead else float('nan'):.1f} ms; same answers both ways: {same}")
    checks = []
    for what, ratios, key, unit in (("time to first token", ttft, "ttft_s", "ms"),
                                    ("tokens/s", rate, "tokens_per_s", "tokens/s")):
        value = statistics.median(ratios)
        scale = 1000 if unit == "ms" else 1
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [value, value, value]
        checks.append(Check(
            name=f"local model {what} through the WebSocket vs llama_cpp direct", value=round(value, 3),
            target=f"≥ {MODEL_RATIO_TARGET:.2f}×", passed=value >= MODEL_RATIO_TARGET, valid=same,
            detail=(f"median of {len(ratios)} paired ratios (quartiles {quartiles[0]:.2f}×–{quartiles[2]:.2f}×); "
                    "medians "
                    f"{statistics.median(p['ws'][key] for p in pairs if p['ws'][key]) * scale:.1f} vs "
                    f"{statistics.median(p['direct'][key] for p in pairs if p['direct'][key]) * scale:.1f} {unit}; "
                    f"{note}"),
        ))
    return checks


# --- the command ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ws_ratio", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("capacity", "throughput", "model"), help="run one part")
    parser.add_argument("--connections", type=int, default=None,
                        help="connections: idle ones for capacity (10000), talking ones for throughput (1000)")
    parser.add_argument("--messages", type=int, default=None, help="messages per connection in throughput (10)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="alternating rounds: throughput (3) and model (6: its pairs vary more)")
    parser.add_argument("--client-processes", type=int, default=1,
                        help="throughput client processes, all on the CPU the server does not use (1)")
    parser.add_argument("--hold-processes", type=int, default=2, help="client processes holding idle connections (2)")
    parser.add_argument("--compression", default="deflate,none",
                        help="the clients' permessage-deflate offer: deflate (as browsers do), none, or both as "
                             "'deflate,none': capacity runs each, throughput the first (deflate,none)")
    parser.add_argument("--prompts", type=int, default=None, help="questions per round and side in model (4)")
    parser.add_argument("--max-tokens", type=int, default=128, help="CHAT_MAX_TOKENS and max_tokens in model (128)")
    parser.add_argument("--threads", type=int, default=None,
                        help="CHAT_THREADS and n_threads in model (default: CHAT_THREADS' default, half the CPUs)")
    parser.add_argument("--server-deflate", choices=("default", "on", "off"), default="default",
                        help="WS_COMPRESSION of ova and the same for the bare app (default: ova's default)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the throughput server and clients")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1,000 idle, 200 × 5 messages, 1 round")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    # the child processes this command starts
    parser.add_argument("--child", choices=("hold", "roundtrips", "direct"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    for name in ("--model-path", "--system-prompt", "--warmup-prompt", "--context-window"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def compressions(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(value.strip() for value in text.split(",") if value.strip()))
    if not chosen or not set(chosen) <= {"deflate", "none"}:
        raise SystemExit("--compression: deflate, none or deflate,none")
    return chosen


def server_deflate(choice: str) -> bool:
    if choice == "default":
        from ova.config.settings import ChatSettings

        return ChatSettings().compression
    return choice == "on"


def default_chat_threads() -> int:
    """``CHAT_THREADS`` as ``ova serve`` sets it by default (half the cores), so that both sides run
    the model as deployed; ``--threads`` measures another setting."""
    from ova.config.settings import ChatSettings

    return ChatSettings().threads


def options_from(args: argparse.Namespace) -> Options:
    quick = args.quick

    def pick(value: int | None, normal: int, short: int) -> int:
        return value if value is not None else (short if quick else normal)

    cpus = len(os.sched_getaffinity(0))
    return Options(
        only=args.only, capacity_connections=pick(args.connections, 10_000, 1_000),
        throughput_connections=pick(args.connections, 1_000, 200), messages=pick(args.messages, 10, 5),
        rounds=pick(args.rounds, 3, 1), model_rounds=pick(args.rounds, 6, 1),
        client_processes=max(1, args.client_processes),
        hold_processes=max(1, args.hold_processes), compressions=compressions(args.compression),
        server_deflate=server_deflate(args.server_deflate),
        prompts=pick(args.prompts, 4, 2),
        max_tokens=args.max_tokens, threads=args.threads or default_chat_threads(),
        pin=not args.no_pin and cpus >= 2, strict=args.strict,
    )


def print_report(checks: Sequence[Check]) -> None:
    print("\nresults")
    for check in checks:
        unit = " KiB" if "memory" in check.name else "×"
        print(f"  {check.verdict:<7} {check.name}: {check.value:g}{unit} (target {check.target})\n"
              f"          {check.detail}")


def run_child(args: argparse.Namespace) -> int:
    if args.child == "direct":
        args.threads = int(args.threads)
        args.context_window = int(args.context_window)
        child_direct(args)
        return 0
    coroutine = child_hold(args) if args.child == "hold" else child_roundtrips(args)
    run_on_uvloop(coroutine)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return run_child(args)
    options = options_from(args)
    report = Report(started=datetime.now(UTC).isoformat(timespec="seconds"), machine=machine(),
                    options=asdict(options))
    report.nofile = raise_nofile(max(options.capacity_connections, options.throughput_connections) + FD_RESERVE)
    print(f"ova chat bench: {report.machine['cpus']} CPUs, Python {report.machine['python']}, RLIMIT_NOFILE "
          f"{report.nofile['soft']} (hard {report.nofile['hard']}), client offer(s) {', '.join(options.compressions)}, "
          f"server permessage-deflate {'on' if options.server_deflate else 'off'}",
          flush=True)
    parts = [options.only] if options.only else ["capacity", "throughput", "model"]
    checks: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="ova-bench-chat-") as directory:
        tmp = Path(directory)
        migrate(tmp)
        if "capacity" in parts:
            print(f"1. capacity: {options.capacity_connections} idle connections, "
                  f"{options.hold_processes} client process(es)", flush=True)
            checks += capacity(options, tmp, report)
        if "throughput" in parts:
            print(f"2. throughput: {options.throughput_connections} connections × {options.messages} messages, "
                  f"{options.rounds} round(s), pinned: {options.pin}", flush=True)
            checks += throughput(options, tmp, report)
        if "model" in parts:
            print(f"3. local model: {options.prompts} questions a round, {options.threads} threads, "
                  f"max_tokens {options.max_tokens}", flush=True)
            checks += model(options, tmp, report)
    report.checks = [{**asdict(check), "verdict": check.verdict} for check in checks]
    report.machine["load_average_after"] = list(os.getloadavg())
    print_report(checks)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"chat-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    if options.strict and not all(check.passed and check.valid for check in checks):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

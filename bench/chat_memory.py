"""Resident memory of ``ova serve`` with the local chat model, by ``CHAT_CONCURRENCY``.

For each concurrency (and once with the fake chat model, for reference) a server is started with a
throw-away SQLite database, every other capability fake (so that only the chat model's memory is
added) and no warm-up. Its VmRSS (process and children) is read when it is up (no model yet), after
one answer (the model and its context for every sequence are loaded), and after ``CHAT_CONCURRENCY``
questions asked at once over as many WebSocket connections (every sequence in use). The weights are
memory-mapped, so their pages are shared with the page cache; each sequence beyond the first adds its
own KV cache in the one context.

    python -m bench.chat_memory [--model qwen2.5-coder-1.5b] [--concurrency 1,2] [--max-tokens 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.ai_ratio import memory_kib
from bench.http_ratio import free_port, migrate, ova_env, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
FAKE_OTHERS = dict.fromkeys(
    ("DETECTION_PROVIDER", "CAPTIONING_PROVIDER", "ASL_PROVIDER", "STT_PROVIDER", "TTS_PROVIDER"), "fake")


def rollup_mib(pid: int) -> dict[str, int]:
    """``Rss``, ``Pss`` and ``Anonymous`` of one process from ``/proc/<pid>/smaps_rollup``, MiB. Two
    ``Llama`` instances map the same weights file twice: RSS counts its resident pages once per mapping,
    although memory holds them once (page cache); ``Anonymous`` is the memory the process itself owns."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Anonymous"):
            values[key.lower()] = int(rest.split()[0]) // 1024
    return values


async def ask(url: str, question: str) -> str:
    from websockets.asyncio.client import connect

    async with connect(url, max_size=None) as socket:
        while True:
            frame = json.loads(await socket.recv())
            if frame.get("type") == "connected":
                await socket.send(json.dumps({"type": "text", "text": question}))
            elif frame.get("type") in ("text", "error"):
                return str(frame.get("text") or frame.get("code"))


async def ask_at_once(url: str, count: int) -> list[str]:
    questions = ["¿Cuál es la capital de Francia?", "¿Cuántas patas tiene una araña?", "¿Qué animal dice miau?"]
    return await asyncio.gather(*(ask(url, questions[i % len(questions)]) for i in range(count)))


def measure(provider: str, concurrency: int, options: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    port = free_port()
    env = {**ova_env(tmp), **FAKE_OTHERS, "PYTHONPATH": str(ROOT), "CHAT_PROVIDER": provider,
           "CHAT_LOCAL_MODEL": options.model, "CHAT_CONCURRENCY": str(concurrency), "AI_WARM_UP": "false",
           "CHAT_MAX_TOKENS": str(options.max_tokens), "WS_IDLE_TIMEOUT_S": "3600",
           "OVA_MODELS_DIR": str(Path(options.models_dir).resolve())}
    log = tmp / f"serve-{provider}-{concurrency}.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "ova", "serve", "--port", str(port)], env=env, cwd=ROOT,
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up("ova", base, process, log, timeout_s=120)
            time.sleep(2)
            up = memory_kib(process.pid)
            url = f"ws://127.0.0.1:{port}/ws"
            began = time.perf_counter()
            first = asyncio.run(ask_at_once(url, 1))
            one = memory_kib(process.pid)
            answers = asyncio.run(ask_at_once(url, concurrency))
            time.sleep(1)
            all_slots = memory_kib(process.pid)
            rollup = rollup_mib(process.pid)
            took = time.perf_counter() - began
        finally:
            process.terminate()
            process.wait(30)
    row = {"provider": provider, "concurrency": concurrency, "rss_up_mib": up["rss_kib"] // 1024,
           "rss_one_answer_mib": one["rss_kib"] // 1024, "rss_all_slots_mib": all_slots["rss_kib"] // 1024,
           "peak_mib": all_slots["peak_rss_kib"] // 1024, **rollup, "answers": first + answers,
           "seconds": round(took, 1)}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat_memory", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--concurrency", default="1,2")
    parser.add_argument("--max-tokens", type=int, default=32, help="answers' length (memory does not depend on it)")
    parser.add_argument("--models-dir", default=str(ROOT / "data" / "models"))
    options = parser.parse_args(argv)
    subprocess.run(["uptime"], check=False)
    with tempfile.TemporaryDirectory(prefix="ova-chat-memory-") as directory:
        tmp = Path(directory)
        migrate(tmp)
        rows = [measure("fake", 1, options, tmp)]
        rows += [measure("local", int(value), options, tmp) for value in options.concurrency.split(",")]
    print("\n| chat | CHAT_CONCURRENCY | RSS when up | after one answer | after N answers at once | of which "
          "anonymous (not the mapped weights) | PSS |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        name = "fake" if row["provider"] == "fake" else options.model
        print(f"| {name} | {row['concurrency']} | {row['rss_up_mib']} MiB | {row['rss_one_answer_mib']} MiB "
              f"| {row['rss_all_slots_mib']} MiB | {row['anonymous']} MiB | {row['pss']} MiB |")
    subprocess.run(["uptime"], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

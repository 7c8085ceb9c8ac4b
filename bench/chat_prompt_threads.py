"""Workers reading prompts at the same moment: does each do better with every core, or with its share?

``--processes`` processes (as ``ova serve --workers N`` runs them) each load the local chat model (one
sequence), answer "Hola" (the system prompt is then cached), wait for a common start time and ask
``--questions`` Spanish questions in turn; per ``CHAT_PROMPT_THREADS`` value (``--threads``, alternated
``--rounds`` times so that every setting sees the same load) it prints the first-token times of every
answer and their median, and writes ``bench/results/chat-prompt-threads-<time>.json``. Not a test.

    python -m bench.chat_prompt_threads [--model qwen2.5-coder-1.5b] [--processes 2] [--threads 1 2]
                                        [--rounds 2] [--questions 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


async def one_process(model: str, prompt_threads: int, start_at: float, offset: int, questions: int) -> None:
    """Runs in a child process: prints ``[[first token s, whole answer s], ...]`` as JSON."""
    from bench.chat_batching import QUESTIONS, LlamaChatModel, model_path
    from ova.application.ports.chat import ChatPrompt
    from ova.config.settings import DEFAULT_SYSTEM_PROMPT

    path, _ = model_path(model)
    chat = LlamaChatModel(threads=1, prompt_threads=prompt_threads, context_window=2048, max_tokens=24,
                          temperature=0.0, concurrency=1, queue=1, model_path=path)
    chat.load()

    async def ask(question: str) -> tuple[float, float]:
        began = time.perf_counter()
        first = None
        async for _ in chat.stream(ChatPrompt(system=DEFAULT_SYSTEM_PROMPT, history=(), message=question)):
            first = first if first is not None else time.perf_counter() - began
        return first or 0.0, time.perf_counter() - began

    await ask("Hola")
    await asyncio.sleep(max(0.0, start_at - time.time()))
    print(json.dumps([await ask(QUESTIONS[(offset + turn) % len(QUESTIONS)]) for turn in range(questions)]))
    chat.close()


def level(options: argparse.Namespace, prompt_threads: int) -> list[list[float]]:
    start_at = time.time() + options.load_s
    children = [subprocess.Popen(
        [sys.executable, "-m", "bench.chat_prompt_threads", "--child", options.model, str(prompt_threads),
         str(start_at), str(index * options.questions), str(options.questions)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for index in range(options.processes)]
    answers: list[list[float]] = []
    for child in children:
        out, _ = child.communicate()
        answers.extend(json.loads(out.strip().splitlines()[-1]))
    return answers


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        model, threads, start_at, offset, questions = argv[1:6]
        asyncio.run(one_process(model, int(threads), float(start_at), int(offset), int(questions)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--load-s", type=float, default=25.0, help="seconds the children get to load the model")
    options = parser.parse_args(argv)
    report: dict[str, Any] = {"options": vars(options), "runs": []}
    for round_ in range(options.rounds):
        for threads in options.threads:
            answers = level(options, threads)
            firsts = sorted(first for first, _ in answers)
            whole = sorted(total for _, total in answers)
            row = {"round": round_ + 1, "prompt_threads": threads, "first_s": firsts,
                   "first_median_s": round(statistics.median(firsts), 3),
                   "answer_median_s": round(statistics.median(whole), 3)}
            report["runs"].append(row)
            print(f"round {row['round']} CHAT_PROMPT_THREADS={threads}: first token median {row['first_median_s']} s "
                  f"({firsts[0]:.2f}–{firsts[-1]:.2f}), whole answer median {row['answer_median_s']} s", flush=True)
    out = ROOT / "bench" / "results" / f"chat-prompt-threads-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

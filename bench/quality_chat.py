"""``make bench-quality-chat``: how right, how readable and how fast each local chat model answers.

Every local model option (``CHAT_LOCAL_MODEL``) answers the questions of ``bench/data/chat_questions.json``
(20 Spanish, 20 English, each with the answers accepted; then 4 open ones, a recipe or advice, that
show how long answers get and whether they read well aloud), through ``LlamaChatModel`` built by the
composition root's own factory with the settings the server would read (environment and ``.env``: so
``CHAT_TEMPERATURE=0 python -m bench.quality_chat`` measures that setting). One question at a time,
nothing else in the prompt, as a new conversation's first message is sent.

Each answer is scored:

- right: one accepted form appears as whole words, ignoring case and accents;
- in the asked language: a stop-word count says Spanish or English (an answer with no sign either
  way, "Madrid.", counts as in the language asked; one in French or German does not);
- looped: it ran to the token limit and repeats a word 4-gram three times or more;
- cut: it ran to the token limit (looped or not);
- readable aloud: no markdown (emphasis, headings, lists, tables, code) and no emoji, since answers
  are read out by a screen reader or the speech synthesis.

Timing, per model: load time; first-token time of the first question (cold: the system prompt is not
in llama.cpp's KV cache yet) and of the others (the system prompt's tokens are a cached prefix); decode
speed in tokens per second (answer tokens after the first, over the time from the first to the last).
``--conversation`` also measures the first token of turns 1..N of one conversation whose earlier turns
are sent back as history, the way ``Converse`` builds its prompt.

The system prompt is the configured one for the question's language, as a conversation held in that
language gets it (``CHAT_SYSTEM_PROMPT`` / ``CHAT_SYSTEM_PROMPT_EN``, else the defaults of
``ova/config/settings.py``), or with ``--system per-language`` the short explicit Spanish and English
ones below. Each run records ``uptime`` before and after: other
work on the machine slows every timing here, and this bench does not pin anything.

    python -m bench.quality_chat [--models a,b] [--system configured|per-language] [--conversation 5]
                                 [--only es|en] [--limit N] [--show] [--label WORD]
    python -m bench.quality_chat --rescore bench/results/quality-chat-<stamp>.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from ova.adapters.ai.local.answer_end import CUT_MARK
from ova.adapters.ai.local.chat import LlamaChatModel
from ova.adapters.models.catalogue import CHAT_MODELS
from ova.application.ports.chat import ChatPrompt
from ova.bootstrap.capabilities import make_model_store
from ova.bootstrap.factories import make_local_chat
from ova.config.loader import load_settings
from ova.config.settings import Settings
from ova.domain.chat import Speaker, Turn, stable_window
from ova.domain.language import Language

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = Path(__file__).resolve().parent / "data" / "chat_questions.json"
RESULTS = Path(__file__).resolve().parent / "results"
OPEN = "open-"
"""The ids of the open questions (no one right answer) start with this."""

PER_LANGUAGE_PROMPTS = {
    "es": "Eres OVA, el asistente de una aplicación de accesibilidad. Responde siempre en español, "
          "de forma breve y clara.",
    "en": "You are OVA, the assistant of an accessibility app. Always answer in English, briefly and clearly.",
}
"""Explicit prompts that name the answer's language (what a per-conversation language makes possible)."""

CONVERSATION = (
    "Hola, me llamo Ana. ¿Qué me recomiendas para desayunar?",
    "¿Y algo sin lactosa?",
    "¿Cuál es la capital de Italia?",
    "¿Cuántos habitantes tiene, más o menos?",
    "Gracias. ¿Cómo me llamo?",
    "¿Qué tiempo suele hacer allí en verano?",
    "¿Me das una idea para cenar?",
    "Gracias, eso es todo.",
)
"""A Spanish conversation whose later turns lean on earlier ones (``--conversation N`` asks the first N)."""

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPANISH_WORDS = _words(
    "el la los las del que y es en un una por para con se su al lo como mas son esta hay tiene pero muy "
    "tambien porque cuando donde este esto eso esa ese le les nos mi tu sus yo usted puede hace ser "
    "fue sin sobre entre hasta desde todo todos otra otro dia bien si no respuesta ciudad"
)
ENGLISH_WORDS = _words(
    "the is of and an in to it are has have with for that this on you there what was be by from which "
    "at as not or can its their they he she we your will would about into than also one called known "
    "city day yes"
)
OTHER_WORDS = _words("et est une des du dans avec pour qui pas je vous aujourd il elle sont ist und der die das nicht")
"""Common French and German words: small models asked in English sometimes answer in French."""
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
MARKDOWN = re.compile(r"(\*\*|__|`|^\s*#{1,6}\s|^\s*[-*+]\s|^\s*\d+[.)]\s|\|.*\|)", re.MULTILINE)


# --- scoring ------------------------------------------------------------------------------------------------


def plain(text: str) -> str:
    """Lower case, accents removed (``ñ`` too: it becomes ``n``), punctuation turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^\w]+", " ", letters).strip()


def is_right(answer: str, accepted: Sequence[str]) -> bool:
    """One accepted form appears as whole words (``8`` does not match ``18``)."""
    words = f" {plain(answer)} "
    return any(f" {plain(form)} " in words for form in accepted)


def language_of(text: str) -> str:
    """``es``, ``en``, ``other`` (French or German common words dominate) or ``?`` (no sign either
    way: "Madrid."): which language's common words dominate. Spanish-only marks (``¿``, ``¡``, ``ñ``,
    accented vowels) count for Spanish."""
    words = plain(text).split()
    spanish = sum(word in SPANISH_WORDS for word in words) + len(re.findall(r"[¿¡ñáéíóú]", text.lower()))
    english = sum(word in ENGLISH_WORDS for word in words)
    if sum(word in OTHER_WORDS for word in words) > max(spanish, english):
        return "other"
    if spanish == english:
        return "?"
    return "es" if spanish > english else "en"


def repeats(text: str, n: int = 4) -> int:
    """How often the most frequent word ``n``-gram occurs."""
    words = plain(text).split()
    grams = Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
    return max(grams.values(), default=0)


def readable_aloud(text: str) -> bool:
    """No markdown and no emoji: what a screen reader or the speech synthesis reads well."""
    return not MARKDOWN.search(text) and not EMOJI.search(text)


# --- running --------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    id: str
    lang: str
    question: str
    text: str
    tokens: int
    first_token_s: float
    tokens_per_s: float | None
    cached_prefix: bool
    right: bool = False
    language: str = "?"
    cut: bool = False
    looped: bool = False
    readable: bool = True


@dataclass
class ModelRun:
    model: str
    title: str
    system: str
    load_s: float
    answers: list[Answer] = field(default_factory=list)
    conversation: list[dict[str, Any]] = field(default_factory=list)


def score(answer: Answer, accepted: Sequence[str], max_tokens: int) -> None:
    answer.right = is_right(answer.text, accepted)
    answer.language = language_of(answer.text)
    answer.cut = answer.tokens >= max_tokens or answer.text.endswith(CUT_MARK)
    answer.looped = answer.cut and repeats(answer.text) >= 3
    answer.readable = readable_aloud(answer.text)


def rescore(path: Path) -> list[dict[str, Any]]:
    """The summary of an earlier run's answers, scored again with today's rules and accepted forms."""
    report = json.loads(path.read_text(encoding="utf-8"))
    accepted = {item["id"]: item["accept"] for item in json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]}
    rows = []
    for raw in report["runs"]:
        run = ModelRun(**{**raw, "answers": [Answer(**answer) for answer in raw["answers"]]})
        for answer in run.answers:
            score(answer, accepted.get(answer.id, []), report["settings"]["max_tokens"])
        rows.append(summary(run))
    return rows


async def timed(model: LlamaChatModel, prompt: ChatPrompt, count: Callable[[str], int]) -> tuple[str, int, float,
                                                                                                 float | None]:
    """The answer, its token count, the first token's delay and the decode speed."""
    sent = time.perf_counter()
    stamps: list[float] = []
    pieces: list[str] = []
    async for piece in model.stream(prompt):
        stamps.append(time.perf_counter())
        pieces.append(piece)
    text = "".join(pieces)
    tokens = count(text) if text else 0
    first = (stamps[0] - sent) if stamps else float("nan")
    speed = (tokens - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else None
    return text, tokens, first, speed


def tokenizer(path: str) -> Callable[[str], int]:
    """Counts tokens with the model's own vocabulary (loaded alone: no weights, no context)."""
    from llama_cpp import Llama

    vocab = Llama(model_path=path, vocab_only=True, verbose=False)
    return lambda text: len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))


def system_for(lang: str, mode: str, settings: Settings) -> str:
    if mode == "per-language":
        return PER_LANGUAGE_PROMPTS[lang]
    return settings.chat.system_prompts[Language(lang)]  # the conversation's language chooses, as in the server


async def run_model(name: str, settings: Settings, questions: list[dict[str, Any]], options: argparse.Namespace,
                    ) -> ModelRun:
    ai = attrs.evolve(settings.ai, chat_local_model=name)
    store = make_model_store(ai)
    entry = store.entry(name)
    path = str(store.file(name, entry.files[0].name))  # joined and verified here, not counted as load time
    model = make_local_chat(store, ai, settings.chat)
    began = time.perf_counter()
    model.load()
    run = ModelRun(name, entry.title, options.system, round(time.perf_counter() - began, 2))
    count = tokenizer(path)
    last_system = None
    for number, item in enumerate(questions, 1):
        system = system_for(item["lang"], options.system, settings)
        text, tokens, first, speed = await timed(model, ChatPrompt(system, (), item["question"]), count)
        answer = Answer(item["id"], item["lang"], item["question"], text.strip(), tokens, round(first, 3),
                        round(speed, 2) if speed else None, cached_prefix=system == last_system)
        last_system = system
        score(answer, item["accept"], model.max_tokens)
        run.answers.append(answer)
        mark = "✓" if answer.right else "✗"
        flags = "".join(
            flag for flag, on in (
                (" [other language]", answer.language not in (item["lang"], "?")), (" [cut]", answer.cut),
                (" [LOOP]", answer.looped), (" [markdown/emoji]", not answer.readable),
            ) if on
        )
        shown = answer.text if options.show else answer.text[:90].replace("\n", " ")
        print(f"  {number:2d} {mark} {item['id']:<22} {first:5.2f} s  {speed or 0:5.1f} tok/s  {tokens:3d} tok"
              f"{flags}  {shown!r}", flush=True)
    if options.conversation:
        run.conversation = await converse(model, settings, options, count)
    return run


async def converse(model: LlamaChatModel, settings: Settings, options: argparse.Namespace,
                   count: Callable[[str], int]) -> list[dict[str, Any]]:
    """Turns 1..N of one conversation, its earlier turns as history (``stable_window`` of the configured
    ``CHAT_CONTEXT_TURNS``/``CHAT_CONTEXT_CHARS``, as ``Converse`` does). Starts with an unrelated
    message so that turn 1 finds only the system prompt cached, as a new chat does."""
    system = system_for("es", options.system, settings)
    await timed(model, ChatPrompt(system, (), "Hola."), count)
    turns: list[Turn] = []
    rows = []
    now = datetime.now(UTC)
    for number, message in enumerate(CONVERSATION[:options.conversation], 1):
        history = stable_window(turns, first_index=0, max_turns=settings.chat.context_turns,
                                max_chars=settings.chat.context_chars)
        text, tokens, first, speed = await timed(model, ChatPrompt(system, history, message), count)
        turns += [Turn(Speaker.USER, message, now), Turn(Speaker.ASSISTANT, text.strip(), now)]
        rows.append({"turn": number, "history_turns": len(history), "first_token_s": round(first, 3),
                     "tokens": tokens, "tokens_per_s": round(speed, 2) if speed else None, "text": text.strip()})
        print(f"  turn {number}: {len(history):2d} earlier turns, first token {first:5.2f} s, {speed or 0:5.1f} tok/s,"
              f" {tokens:3d} tok  {text.strip()[:80]!r}", flush=True)
    return rows


# --- report ---------------------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "–"


def median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def summary(run: ModelRun) -> dict[str, Any]:
    answers = [a for a in run.answers if not a.id.startswith(OPEN)]
    open_answers = [a for a in run.answers if a.id.startswith(OPEN)]
    by_lang = {lang: [a for a in answers if a.lang == lang] for lang in ("es", "en")}
    cached = [a.first_token_s for a in run.answers if a.cached_prefix]
    cold = [a.first_token_s for a in run.answers if not a.cached_prefix]
    decode = [a.tokens_per_s for a in run.answers if a.tokens_per_s and a.tokens >= 8]
    return {
        "model": run.model,
        "right_es": percent(sum(a.right for a in by_lang["es"]), len(by_lang["es"])),
        "right_en": percent(sum(a.right for a in by_lang["en"]), len(by_lang["en"])),
        "in_language": percent(sum(a.language in (a.lang, "?") for a in run.answers), len(run.answers)),
        "looped": sum(a.looped for a in run.answers),
        "cut": sum(a.cut for a in run.answers),
        "readable": percent(sum(a.readable for a in run.answers), len(run.answers)),
        "median_words": median([len(a.text.split()) for a in answers]),
        "open_words": median([len(a.text.split()) for a in open_answers]),
        "open_readable": percent(sum(a.readable for a in open_answers), len(open_answers)),
        "load_s": run.load_s,
        "first_token_cold_s": median(cold),
        "first_token_cached_s": median(cached),
        "first_token_cached_max_s": round(max(cached), 2) if cached else None,
        "tokens_per_s": median(decode),
        "conversation_first_token_s": [row["first_token_s"] for row in run.conversation],
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| model | right es | right en | in the asked language | looped (cut) | readable aloud "
            "| median words (open questions) | model load | first token cold "
            "| first token, prefix cached (median / max) | tok/s (median) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        lines.append(
            f"| {row['model']} | {row['right_es']} | {row['right_en']} | {row['in_language']} "
            f"| {row['looped']} ({row['cut']}) | {row['readable']} | {row['median_words']} ({row['open_words']}) "
            f"| {row['load_s']} s "
            f"| {row['first_token_cold_s']} s | {row['first_token_cached_s']} / {row['first_token_cached_max_s']} s "
            f"| {row['tokens_per_s']} |"
        )
    return "\n".join(lines)


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())


def installed(name: str) -> bool:
    """Whether every package carrying the model's files is installed (the options are not, by default)."""
    import importlib.util

    entry = next(entry for entry in CHAT_MODELS if entry.name == name)
    return all(importlib.util.find_spec(part.package) is not None for file in entry.files for part in file.parts)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.quality_chat", description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(entry.name for entry in CHAT_MODELS),
                        help="comma-separated CHAT_LOCAL_MODEL names (default: every option installed)")
    parser.add_argument("--system", choices=("configured", "per-language"), default="configured")
    parser.add_argument("--only", choices=("es", "en"), help="only the questions in this language")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (of each language)")
    parser.add_argument("--conversation", type=int, default=0, metavar="N",
                        help=f"also time turns 1..N of one conversation (at most {len(CONVERSATION)})")
    parser.add_argument("--no-open", action="store_true", help="leave out the open questions (recipes, advice)")
    parser.add_argument("--show", action="store_true", help="print whole answers")
    parser.add_argument("--label", default="", help="a word for the result file's name")
    parser.add_argument("--rescore", type=Path, metavar="FILE",
                        help="print the table of an earlier run's results file, scored with today's rules")
    return parser.parse_args(argv)


def load_questions(options: argparse.Namespace) -> list[dict[str, Any]]:
    """The questions asked, Spanish first; then the open ones (``accept`` empty) unless ``--no-open``."""
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    chosen: list[dict[str, Any]] = []
    for lang in ("es", "en"):
        if options.only in (None, lang):
            of_lang = [q for q in data["questions"] if q["lang"] == lang]
            chosen += of_lang[: options.limit] if options.limit else of_lang
    if not options.no_open:
        chosen += [{**q, "accept": []} for q in data["open"] if options.only in (None, q["lang"])]
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    if options.rescore:
        print(table(rescore(options.rescore)))
        return 0
    settings = load_settings()
    questions = load_questions(options)
    names = [name.strip() for name in options.models.split(",") if name.strip()]
    before = uptime()
    print(f"quality_chat: {len(questions)} questions, system prompt: {options.system}, "
          f"temperature {settings.chat.temperature}, repeat penalty {settings.chat.repeat_penalty}, "
          f"max tokens {settings.chat.max_tokens}, {settings.chat.threads} thread(s); {os.cpu_count()} CPUs\n"
          f"uptime before: {before}", flush=True)
    runs = []
    for name in names:
        if not installed(name):
            print(f"{name}: not installed (make models-options), skipped", flush=True)
            continue
        print(f"{name}", flush=True)
        runs.append(asyncio.run(run_model(name, settings, questions, options)))
    after = uptime()
    rows = [summary(run) for run in runs]
    print(f"\nuptime after: {after}\n\n{table(rows)}")
    for row in rows:
        if row["conversation_first_token_s"]:
            print(f"{row['model']}: first token of conversation turns 1..N: {row['conversation_first_token_s']} s")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = RESULTS / f"quality-chat-{stamp}{'-' + options.label if options.label else ''}.json"
    out.write_text(json.dumps({
        "options": vars(options), "uptime_before": before, "uptime_after": after,
        "settings": {"system_prompt": settings.chat.system_prompt, "system_prompt_en": settings.chat.system_prompt_en,
                     "temperature": settings.chat.temperature,
                     "repeat_penalty": settings.chat.repeat_penalty, "max_tokens": settings.chat.max_tokens,
                     "threads": settings.chat.threads, "context_window": settings.chat.context_window},
        "summary": rows, "runs": [asdict(run) for run in runs],
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

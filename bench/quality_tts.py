"""``make bench-quality-tts``: how well and how fast each local voice speaks, Spanish and English.

For each engine (Kokoro-82M with Spanish phonemes, espeak-ng, hibari) and each language it speaks,
the 20 sentences of ``bench/data/tts_sentences.json`` are synthesised one at a time and read back by
Whisper base (faster-whisper, int8, the catalogue's ``whisper-base``; the language is forced, as
detection is unreliable on synthetic speech). Reported per engine and language:

- round-trip word error rate (WER): word edit distance between the sentence and what Whisper heard,
  after lower-casing, dropping punctuation and spelling numbers out (``27`` and ``veintisiete`` are the
  same word); ``WER noacc`` also drops accents;                            target: ≤ 12 % (Spanish)
- real-time factor (RTF): synthesis seconds ÷ audio seconds (below 1: faster than it speaks); and
  the CPU seconds the process spent per audio second (``cpu_rtf``), which depends far less on what
  else the machine runs (on idle cores, RTF ≈ cpu_rtf ÷ the threads that really run in parallel);
- first audio: for a three-sentence answer, the seconds from the text to its first spoken piece
  through ``SpeakSentences`` (the use case the chat's sentence-by-sentence audio uses), median of
  ``--repeats`` runs (and the CPU seconds it took), and the seconds to the whole answer.
                                                                           target: ≤ 1.5 s

It prints a table and writes the report as JSON to ``bench/results/quality-tts-<timestamp>.json``,
with the machine's load average before and after (timings scale with it). It exits 0 whether or not
the targets are met, unless ``--strict``.

    python -m bench.quality_tts [--engines kokoro,espeak,hibari] [--sentences 20] [--repeats 3] [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.word_error import edit_distance
from ova.adapters.ai.local.espeak import EspeakTextToSpeech
from ova.adapters.ai.local.kokoro import KokoroFiles, KokoroTextToSpeech
from ova.adapters.ai.local.spanish_numbers import spell_numbers
from ova.adapters.ai.local.speech import HibariTextToSpeech
from ova.adapters.ai.pool import InferencePool
from ova.adapters.models.store import LocalModelStore
from ova.application.ports.speech import TextToSpeech
from ova.application.speech.sentences import SpeakSentences
from ova.domain.speech import Speech

DATA = Path(__file__).parent / "data" / "tts_sentences.json"
RESULTS = Path(__file__).parent / "results"
ENGINES: dict[str, tuple[str, ...]] = {"kokoro": ("es",), "espeak": ("es", "en"), "hibari": ("en",)}
"""Each engine and the languages it really speaks (Kokoro's voices here speak Spanish phonemes;
hibari is English only)."""
WER_TARGET = 0.12
FIRST_AUDIO_TARGET_S = 1.5
_EN_NUMBERS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
               "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


@dataclass
class Row:
    engine: str
    language: str
    sentences: int
    wer: float
    wer_noacc: float
    rtf: float
    cpu_rtf: float
    audio_s: float
    synthesis_s: float
    first_audio_s: float
    first_audio_cpu_s: float
    whole_answer_s: float
    answer_audio_s: float
    worst: list[dict[str, str]] = field(default_factory=list)


def words(text: str, language: str, *, accents: bool = True) -> list[str]:
    """Lower-case words without punctuation, numbers spelled out (Spanish) or as words (English)."""
    text = spell_numbers(text) if language == "es" else re.sub(r"\b\d+\b", lambda m: _EN_NUMBERS.get(m[0], m[0]), text)
    text = text.lower()
    if not accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^\w\s']", " ", text).split()



def wer(pairs: Sequence[tuple[str, str]], language: str, *, accents: bool = True) -> float:
    errors = sum(edit_distance(words(ref, language, accents=accents), words(hyp, language, accents=accents))
                 for ref, hyp in pairs)
    return errors / max(1, sum(len(words(ref, language, accents=accents)) for ref, _ in pairs))


def to_16k(speech: Speech) -> np.ndarray:
    """The WAV's samples at 16 kHz (linear interpolation: plenty for recognition)."""
    import io
    import wave

    with wave.open(io.BytesIO(speech.wav), "rb") as reader:
        rate = reader.getframerate()
        pcm = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2").astype(np.float32) / 32768
    if rate == 16_000 or not pcm.size:
        return pcm
    positions = np.arange(0, pcm.size, rate / 16_000)
    return np.interp(positions, np.arange(pcm.size), pcm).astype(np.float32)


def build_engines(store: LocalModelStore, threads: int) -> dict[str, Callable[[], TextToSpeech]]:
    pool = InferencePool("bench-tts", workers=1, queue=64)

    def kokoro() -> TextToSpeech:
        def files() -> KokoroFiles:
            return KokoroFiles(model=store.file("kokoro-82m", "kokoro-v1.0.int8.onnx"),
                               vocab=store.file("kokoro-82m", "vocab.json"),
                               voices=store.file("kokoro-82m", "voices_ja.npz"))

        adapter = KokoroTextToSpeech(files=files, pool=pool, threads=threads)
        adapter.load()
        return adapter

    def espeak() -> TextToSpeech:
        adapter = EspeakTextToSpeech()
        adapter.load()
        return adapter

    def hibari() -> TextToSpeech:
        adapter = HibariTextToSpeech(pool=pool, threads=threads)
        adapter.load()
        return adapter

    return {"kokoro": kokoro, "espeak": espeak, "hibari": hibari}


async def measure(name: str, tts: TextToSpeech, language: str, sentences: Sequence[str], answer: str,
                  whisper: Any, repeats: int) -> Row:
    pairs: list[tuple[str, str]] = []
    synthesis_s = audio_s = cpu_s = 0.0
    for sentence in sentences:
        started, cpu_started = time.perf_counter(), time.process_time()
        speech = await tts.synthesize(sentence, language=language)
        synthesis_s += time.perf_counter() - started
        cpu_s += time.process_time() - cpu_started
        audio_s += speech.duration_s
        segments, _ = whisper.transcribe(to_16k(speech), language=language, beam_size=1)
        pairs.append((sentence, " ".join(segment.text.strip() for segment in segments)))
    first: list[float] = []
    first_cpu: list[float] = []
    whole: list[float] = []
    answer_audio = 0.0
    speak = SpeakSentences(tts)
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer_audio = 0.0
        async for spoken in speak(answer, language=language):
            if spoken.index == 0:
                first.append(time.perf_counter() - started)
                first_cpu.append(time.process_time() - cpu_started)
            answer_audio += spoken.speech.duration_s
        whole.append(time.perf_counter() - started)
    worst = sorted(pairs, key=lambda pair: -edit_distance(words(pair[0], language), words(pair[1], language)))[:3]
    return Row(
        engine=name, language=language, sentences=len(pairs), wer=wer(pairs, language),
        wer_noacc=wer(pairs, language, accents=False), rtf=synthesis_s / max(audio_s, 1e-9),
        cpu_rtf=cpu_s / max(audio_s, 1e-9), audio_s=audio_s,
        synthesis_s=synthesis_s, first_audio_s=statistics.median(first),
        first_audio_cpu_s=statistics.median(first_cpu), whole_answer_s=statistics.median(whole),
        answer_audio_s=answer_audio, worst=[{"said": ref, "heard": hyp} for ref, hyp in worst],
    )


def parse_options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.quality_tts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: kokoro, espeak, hibari")
    parser.add_argument("--sentences", type=int, default=20, help="sentences per language (at most 20)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the three-sentence answer")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 2),
                        help="the engines' CPU threads (TTS_THREADS' default)")
    parser.add_argument("--models", default=os.environ.get("OVA_MODELS_DIR", "data/models"),
                        help="the models' cache folder (OVA_MODELS_DIR)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


async def run(options: argparse.Namespace) -> int:
    from faster_whisper import WhisperModel

    data = json.loads(DATA.read_text(encoding="utf-8"))
    store = LocalModelStore(Path(options.models))
    load_before = list(os.getloadavg())
    print(f"tts quality bench: {os.cpu_count()} CPUs, load average {load_before[0]:.2f}, "
          f"engine threads {options.threads}", flush=True)
    whisper = WhisperModel(str(store.folder("whisper-base")), device="cpu", compute_type="int8",
                           cpu_threads=os.cpu_count() or 2)
    builders = build_engines(store, options.threads)
    rows: list[Row] = []
    for name in [engine.strip() for engine in options.engines.split(",") if engine.strip()]:
        tts = builders[name]()
        for language in ENGINES[name]:
            print(f"  {name} {language} ...", flush=True)
            row = await measure(name, tts, language, data[language][: options.sentences], data["answers"][language],
                                whisper, options.repeats)
            rows.append(row)
            print(f"    WER {row.wer:.1%} (noacc {row.wer_noacc:.1%}), RTF {row.rtf:.2f} (CPU {row.cpu_rtf:.2f}), "
                  f"first audio {row.first_audio_s:.2f} s (CPU {row.first_audio_cpu_s:.2f} s), "
                  f"whole answer {row.whole_answer_s:.2f} s", flush=True)
    load_after = list(os.getloadavg())
    print("\n| Engine | Lang | Round-trip WER (noacc) | RTF (CPU s per audio s) | First audio, 3-sentence answer "
          "(CPU s) | Whole answer (audio) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.engine} | {row.language} | {row.wer:.1%} ({row.wer_noacc:.1%}) | {row.rtf:.2f} "
              f"({row.cpu_rtf:.2f}) | {row.first_audio_s:.2f} s ({row.first_audio_cpu_s:.2f}) | "
              f"{row.whole_answer_s:.2f} s ({row.answer_audio_s:.1f} s) |")
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {"started": stamp, "cpus": os.cpu_count(), "load_average_before": load_before,
              "load_average_after": load_after, "options": vars(options), "rows": [asdict(row) for row in rows]}
    path = RESULTS / f"quality-tts-{stamp}.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"report: {path}")
    missed = [row for row in rows if row.language == "es" and row.engine == "kokoro"
              and (row.wer > WER_TARGET or row.first_audio_s > FIRST_AUDIO_TARGET_S)]
    return 1 if options.strict and missed else 0


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_options(argv)))


if __name__ == "__main__":
    sys.exit(main())

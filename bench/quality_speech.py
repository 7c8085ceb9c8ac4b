"""``make bench-quality-speech``: how well the local Whisper models hear Spanish and English.

40 sentences with known text (``bench/data/speech_sentences.json``, 20 Spanish, 20 English) are
synthesised with espeak-ng (formant synthesis, robotic) and with Kokoro-82M (neural; the catalogue's
``kokoro-82m`` files, voice ``jm_kumo``, phonemes from ``espeak-ng --ipa``; the Spanish sentences also
with phonemes from piper-plus-g2p, ``kokoro-piper-g2p``). Each Whisper model of the catalogue then
transcribes every clip through ova's own adapter (``WhisperSpeechToText``, as the server runs it), with
the language given.

Reported per model, voice and language: word error rate (word edit distance over the reference's
words, after lower-casing and stripping punctuation; "sin tildes" also strips accents) and seconds
per clip; per model: load time and the time of a ~5 s note (median of 3). For ``lang=auto`` it
also reports, per clip, the probability Whisper's detection gives the right language among es/en,
which is what ``STT_MIN_LANGUAGE_PROBABILITY`` is chosen from.

    python -m bench.quality_speech [--models whisper-base,whisper-tiny.en] [--limit N] [--json PATH]

Needs ``espeak-ng`` (``make bench-quality-speech`` installs it) and ``piper-plus-g2p``. Exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.word_error import edit_distance
from ova.adapters.ai.audio import SAMPLE_RATE, decode_to_mono16k, wav_bytes
from ova.adapters.ai.local.whisper import WhisperSpeechToText
from ova.adapters.ai.pool import InferencePool
from ova.adapters.models.store import LocalModelStore
from ova.domain.speech import AudioClip, SpeechLanguage

DATA = Path(__file__).parent / "data" / "speech_sentences.json"
KOKORO_RATE = 24_000
ESPEAK_VOICES = {"es": "es", "en": "en-us"}
KOKORO_VOICE = "jm_kumo"
G2P_FIX = {"rr": "r", "tʃ": "ʧ"}


# -- scoring ----------------------------------------------------------------------------------------

def words(text: str, *, accents: bool = True) -> list[str]:
    """Lower-case words without punctuation (and without accents when ``accents`` is false)."""
    text = text.lower()
    if not accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.findall(r"[\w']+", text)



def wer(references: Sequence[str], hypotheses: Sequence[str], *, accents: bool = True) -> float:
    """Corpus word error rate: total edits over total reference words."""
    edits = sum(edit_distance(words(r, accents=accents), words(h, accents=accents))
                for r, h in zip(references, hypotheses, strict=True))
    return edits / max(1, sum(len(words(r, accents=accents)) for r in references))


# -- synthesis ----------------------------------------------------------------------------------------

def espeak_wav(text: str, language: str) -> bytes:
    return subprocess.run(["espeak-ng", "-v", ESPEAK_VOICES[language], "--stdout", text],
                          check=True, capture_output=True).stdout


def espeak_ipa(text: str, language: str) -> str:
    out = subprocess.run(["espeak-ng", "-q", "-v", ESPEAK_VOICES[language], "--ipa", text],
                         check=True, capture_output=True, text=True).stdout
    ending = text.rstrip()[-1:] if text.rstrip()[-1:] in ".?!" else "."
    return " ".join(line.strip() for line in out.splitlines() if line.strip()) + ending


class Kokoro:
    """Kokoro-82M int8 ONNX from the model store, speaking phonemes with one voice (spanish-models.md §2)."""

    def __init__(self, store: LocalModelStore, threads: int) -> None:
        import onnxruntime as ort

        folder = store.folder("kokoro-82m")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(folder / "kokoro-v1.0.int8.onnx"), sess_options=options,
                                            providers=["CPUExecutionProvider"])
        self.vocab: dict[str, int] = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        self.style = np.load(str(folder / "voices_ja.npz"))[KOKORO_VOICE]
        logging.getLogger("piper_plus_g2p").setLevel(logging.CRITICAL)
        from piper_plus_g2p import get_phonemizer

        self.g2p_es = get_phonemizer("es")

    def phonemes(self, text: str, language: str, g2p: str) -> str:
        if g2p == "piper-plus-g2p":
            return "".join(G2P_FIX.get(token, token) for token in self.g2p_es.phonemize(text))
        return espeak_ipa(text, language)

    def wav(self, text: str, language: str, g2p: str = "espeak-ng") -> bytes:
        ids = [self.vocab[c] for c in self.phonemes(text, language, g2p) if c in self.vocab][:510]
        style = self.style[len(ids) - 1].reshape(1, 256).astype(np.float32)
        audio = self.session.run(None, {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style,
                                        "speed": np.array([1.0], np.float32)})[0].ravel()
        return wav_bytes(np.asarray(audio, np.float32), KOKORO_RATE)


# -- measuring ----------------------------------------------------------------------------------------

def stt_for(store: LocalModelStore, name: str, threads: int) -> WhisperSpeechToText:
    entry = store.entry(name)
    return WhisperSpeechToText(pool=InferencePool(f"bench-{name}", workers=1, queue=4), name=name,
                               folder=lambda: store.folder(name), languages=entry.languages,
                               cpu_threads=threads)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def detection(stt: WhisperSpeechToText, wav: bytes) -> dict[str, float]:
    """Whisper's detected probabilities of es and en for one clip (what ``auto`` decides on)."""
    whisper: Any = stt._whisper.get()  # the bench looks inside on purpose
    _best, _p, every = whisper.detect_language(audio=decode_to_mono16k(wav))
    probabilities = dict(every)
    return {code: round(float(probabilities.get(code, 0.0)), 4) for code in ("es", "en")}


def five_second_note(clips: list[bytes]) -> bytes:
    """Spanish Kokoro clips joined (with 0.3 s pauses) up to about 5 s."""
    pieces: list[np.ndarray] = []
    total = 0
    for wav in clips:
        samples = decode_to_mono16k(wav)
        pieces += [samples, np.zeros(int(0.3 * SAMPLE_RATE), np.float32)]
        total += samples.size + int(0.3 * SAMPLE_RATE)
        if total >= 4.8 * SAMPLE_RATE:
            break
    note = np.concatenate(pieces)[: int(5.2 * SAMPLE_RATE)]
    return wav_bytes(note, SAMPLE_RATE)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f} (1 / 5 min), {os.cpu_count()} cores"


async def run(models: list[str], limit: int, threads: int) -> dict[str, Any]:
    sentences = json.loads(DATA.read_text(encoding="utf-8"))
    store = LocalModelStore(Path(os.environ.get("OVA_MODELS_DIR", "data/models")))
    report: dict[str, Any] = {"load_before": load_average(), "threads": threads, "models": {}, "synthesis": {}}

    kokoro, kokoro_load = timed(lambda: Kokoro(store, threads))
    clips: dict[tuple[str, str], list[bytes]] = {}
    for language in ("es", "en"):
        texts = sentences[language][:limit]
        clips[("espeak-ng", language)], espeak_s = timed(lambda: [espeak_wav(t, language) for t in texts])  # noqa: B023
        clips[("kokoro", language)], kokoro_s = timed(lambda: [kokoro.wav(t, language) for t in texts])  # noqa: B023
        if language == "es":  # the phonemes ova's Spanish voice may use instead of espeak-ng's
            clips[("kokoro-piper-g2p", language)] = [kokoro.wav(t, language, "piper-plus-g2p") for t in texts]
        seconds = sum(decode_to_mono16k(w).size for w in clips[("kokoro", language)]) / SAMPLE_RATE
        report["synthesis"][language] = {"espeak_s": round(espeak_s, 2), "kokoro_s": round(kokoro_s, 2),
                                          "kokoro_audio_s": round(seconds, 1)}
    report["synthesis"]["kokoro_load_s"] = round(kokoro_load, 2)
    notes = {language: five_second_note(clips[("kokoro", language)]) for language in ("es", "en")}

    for name in models:
        stt = stt_for(store, name, threads)
        _, verify_s = timed(lambda: store.folder(name))  # noqa: B023
        _, load_s = timed(stt.load)
        row: dict[str, Any] = {"verify_s": round(verify_s, 2), "load_s": round(load_s, 2), "sets": {}}
        for (voice, language), wavs in clips.items():
            if language not in stt.languages:
                continue
            references = sentences[language][:limit]
            hypotheses: list[str] = []
            started = time.perf_counter()
            for wav in wavs:
                hypotheses.append((await stt.transcribe(AudioClip(wav), language=SpeechLanguage(language))).text)
            elapsed = time.perf_counter() - started
            row["sets"][f"{voice}/{language}"] = {
                "wer": round(wer(references, hypotheses), 4),
                "wer_no_accents": round(wer(references, hypotheses, accents=False), 4),
                "s_per_clip": round(elapsed / len(wavs), 2),
                "audio_s_per_clip": round(sum(decode_to_mono16k(w).size for w in wavs) / SAMPLE_RATE / len(wavs), 2),
                "worst": sorted(zip(references, hypotheses, strict=True),
                                key=lambda pair: -edit_distance(words(pair[0]), words(pair[1])))[:3],
            }
            if len(stt.languages) > 1:
                row["sets"][f"{voice}/{language}"]["detected"] = [detection(stt, wav) for wav in wavs]
        note_times = []
        note_language = stt.languages[0]
        for _ in range(3):
            started = time.perf_counter()
            await stt.transcribe(AudioClip(notes[note_language]), language=SpeechLanguage(note_language))
            note_times.append(time.perf_counter() - started)
        row["note_5s_s"] = round(statistics.median(note_times), 2)
        row["note_language"] = note_language
        row["note_audio_s"] = round(decode_to_mono16k(notes[note_language]).size / SAMPLE_RATE, 2)
        report["models"][name] = row
    report["load_after"] = load_average()
    return report


def table(report: dict[str, Any]) -> str:
    lines = ["| Model | Voice / language | WER | WER sin tildes | s per clip (clip length) |",
             "|---|---|---|---|---|"]
    for name, row in report["models"].items():
        for key, result in row["sets"].items():
            lines.append(f"| {name} | {key} | {result['wer']:.1%} | {result['wer_no_accents']:.1%} | "
                         f"{result['s_per_clip']:.2f} ({result['audio_s_per_clip']:.1f} s) |")
    lines += ["", "| Model | load | verify files | 5 s note (median of 3) |", "|---|---|---|---|"]
    for name, row in report["models"].items():
        lines.append(f"| {name} | {row['load_s']:.2f} s | {row['verify_s']:.2f} s | "
                     f"{row['note_5s_s']:.2f} s ({row['note_audio_s']:.1f} s of {row['note_language']} audio) |")
    return "\n".join(lines)


THRESHOLDS = (0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6)


def auto_accuracy(report: dict[str, Any]) -> str:
    """For each candidate ``STT_MIN_LANGUAGE_PROBABILITY``: how many clips ``auto`` would hear in their
    own language, with ``DEFAULT_LANGUAGE`` es and en (the rule of ``WhisperSpeechToText._detect``)."""
    lines = ["| STT_MIN_LANGUAGE_PROBABILITY | right language, default es | right language, default en |",
             "|---|---|---|"]
    for name, row in report["models"].items():
        detected = [(key.rsplit("/", 1)[1], d) for key, result in row["sets"].items()
                    for d in result.get("detected", ())]
        if not detected:
            continue
        for threshold in THRESHOLDS:
            cells = []
            for default in ("es", "en"):
                right = sum((max(d, key=d.__getitem__) if max(d.values()) >= threshold else default) == language
                            for language, d in detected)
                cells.append(f"{right}/{len(detected)}")
            lines.append(f"| {threshold:g} ({name}) | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def detection_summary(report: dict[str, Any]) -> str:
    lines = []
    for name, row in report["models"].items():
        for key, result in row["sets"].items():
            if "detected" not in result:
                continue
            right = key.rsplit("/", 1)[1]
            wrong = "en" if right == "es" else "es"
            p_right = [d[right] for d in result["detected"]]
            p_wrong = [d[wrong] for d in result["detected"]]
            lines.append(f"{name} {key}: P({right}) min {min(p_right):.3f} median {statistics.median(p_right):.3f}; "
                         f"P({wrong}) max {max(p_wrong):.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="whisper-base,whisper-tiny.en")
    parser.add_argument("--limit", type=int, default=20, help="sentences per language")
    parser.add_argument("--threads", type=int, default=min(4, os.cpu_count() or 2))
    parser.add_argument("--json", type=Path, help="also write the whole report here")
    args = parser.parse_args(argv)
    report = asyncio.run(run(args.models.split(","), args.limit, args.threads))
    print(table(report))
    print()
    print(detection_summary(report))
    print()
    print(auto_accuracy(report))
    print(f"\nmachine load: before {report['load_before']}; after {report['load_after']}; "
          f"{report['threads']} threads; synthesis {report['synthesis']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

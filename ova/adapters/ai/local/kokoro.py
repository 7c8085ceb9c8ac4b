"""Spanish text to speech on the CPU: Kokoro-82M (int8 ONNX) fed Spanish phonemes.

Kokoro v1.0 is a multilingual model that speaks whatever phonemes (IPA) it is given; the packages
that carry it ship only Japanese voice styles, and of those ``jm_kumo`` (male) reads Spanish phonemes
intelligibly (Whisper base reads it back with 6 to 9 % word error), ``jf_alpha`` clearly worse. The
phonemes come from piper-plus-g2p (MIT, rule-based Latin-American Spanish, pure Python), after the
numbers are spelled out in words (the phonemizer drops digits).

The files (ONNX model, vocabulary, voices) come from the model catalogue's ``kokoro-82m`` entry,
verified by sha256 before use. onnxruntime's ``InferenceSession.run`` is documented thread-safe and the
phonemizer keeps no per-call state, so calls may run from several pool threads at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from attrs import frozen

from ova.adapters.ai.audio import Samples, wav_bytes
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.local.spanish_numbers import spell_numbers
from ova.adapters.ai.local.speech import check_language, check_voice
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import ModelUnavailable
from ova.domain.sentences import split_sentences
from ova.domain.speech import Speech

KOKORO_RATE = 24_000
MAX_PHONEMES = 510
"""Kokoro's style vectors are indexed by the number of phonemes: one input holds at most 510."""
PAUSE_S = 0.12
"""Silence put between two sentences of one call."""
PHONEME_FIXES = {"rr": "r", "tʃ": "ʧ"}
"""piper-plus-g2p's two multi-character phonemes, as Kokoro's vocabulary writes them."""
VOICES = ("jm_kumo", "jf_alpha")


@frozen
class KokoroFiles:
    """The verified files of the catalogue's ``kokoro-82m`` entry."""

    model: Path
    vocab: Path
    voices: Path


@frozen
class _Kokoro:
    session: Any  # onnxruntime.InferenceSession (untyped)
    vocab: dict[str, int]
    styles: dict[str, Any]  # voice → (510, 1, 256) float32 array
    phonemize: Callable[[str], list[str]]


class KokoroTextToSpeech:
    """Kokoro-82M speaking Spanish, 24 kHz mono. ``files`` gives the verified model files (called once,
    when the model loads); ``threads``: onnxruntime's intra-op threads."""

    model = "kokoro-82m (int8 ONNX, jm_kumo, Spanish phonemes from piper-plus-g2p)"
    voices = VOICES

    def __init__(self, *, files: Callable[[], KokoroFiles], pool: InferencePool, threads: int = 2,
                 speed: float = 1.0) -> None:
        self._files = files
        self._pool = pool
        self._threads = threads
        self._speed = speed
        self._kokoro = Lazy(self._build)

    @property
    def loaded(self) -> bool:
        return self._kokoro.loaded

    def load(self) -> None:
        self._kokoro.load()

    def _build(self) -> _Kokoro:
        # piper-plus-g2p logs a traceback on import when its optional Japanese part is missing;
        # Spanish does not need it.
        logging.getLogger("piper_plus_g2p").setLevel(logging.CRITICAL)
        try:
            import onnxruntime
            from piper_plus_g2p import get_phonemizer

            files = self._files()
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(str(files.model), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            vocab = json.loads(files.vocab.read_text(encoding="utf-8"))["vocab"]
            with np.load(str(files.voices)) as voices:
                styles = {name: np.asarray(voices[name], dtype=np.float32) for name in VOICES}
            phonemizer = get_phonemizer("es")
        except (ImportError, OSError, RuntimeError, ValueError, KeyError) as error:
            raise ModelUnavailable("El modelo de síntesis de voz en español no se pudo cargar.") from error
        kokoro = _Kokoro(session=session, vocab=vocab, styles=styles, phonemize=phonemizer.phonemize)
        _speak(kokoro, "Hola.", VOICES[0], self._speed)  # the first run is several times slower: pay it here
        return kokoro

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        """Speaks ``text`` with Spanish phonemes whatever ``language`` says (``es`` or ``en``, else
        ``InvalidInput``): English text belongs to another engine (``ByLanguage``)."""
        check_voice(voice, self.voices)
        check_language(language)
        return await self._pool.run(lambda: self._synthesize(text, voice or VOICES[0]))

    def _synthesize(self, text: str, voice: str) -> Speech:
        kokoro = self._kokoro.get()
        pause = np.zeros(int(PAUSE_S * KOKORO_RATE), dtype=np.float32)
        pieces: list[Samples] = []
        for sentence in split_sentences(text):
            audio = _speak(kokoro, sentence, voice, self._speed)
            if audio.size:
                pieces.extend((pause, audio) if pieces else (audio,))
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return Speech(wav=wav_bytes(samples, KOKORO_RATE), sample_rate=KOKORO_RATE,
                      duration_s=round(samples.size / KOKORO_RATE, 3))


def phoneme_ids(phonemes: list[str], vocab: dict[str, int]) -> list[int]:
    """Kokoro's token ids for piper-plus-g2p's phonemes; symbols outside the vocabulary (``¿``,
    ``¡``) are left out, and at most ``MAX_PHONEMES`` are kept."""
    text = "".join(PHONEME_FIXES.get(phoneme, phoneme) for phoneme in phonemes)
    return [vocab[symbol] for symbol in text if symbol in vocab][:MAX_PHONEMES]


def _speak(kokoro: _Kokoro, sentence: str, voice: str, speed: float) -> Samples:
    ids = phoneme_ids(kokoro.phonemize(spell_numbers(sentence)), kokoro.vocab)
    if not ids or not any(character.isalnum() for character in sentence):
        return np.zeros(0, dtype=np.float32)  # nothing to say (punctuation, symbols)
    style = kokoro.styles[voice][len(ids) - 1].reshape(1, -1)
    audio = kokoro.session.run(None, {
        "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
        "style": style,
        "speed": np.array([speed], dtype=np.float32),
    })[0]
    return np.asarray(audio, dtype=np.float32).reshape(-1)

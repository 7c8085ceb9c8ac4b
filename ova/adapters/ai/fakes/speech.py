"""Speech fakes: no model, no decoding, instant and deterministic."""

from __future__ import annotations

import numpy as np

from ova.adapters.ai.audio import wav_bytes, wav_duration
from ova.adapters.ai.local.speech import check_language, check_voice
from ova.domain.errors import UnreadableMedia, UnsupportedLanguage
from ova.domain.speech import AudioClip, Speech, SpeechLanguage, Transcript


class FakeSpeechToText:
    """Answers ``text`` for any non-empty clip; empty bytes are ``UnreadableMedia`` as for the real one.

    The language rules are the real adapter's: a language outside ``languages`` is
    ``UnsupportedLanguage``; ``auto`` is heard as ``detected`` (``None``: as ``default_language``).
    ``duration_s`` is read from the header when the clip is a WAV file, else 0. ``asked`` records
    the language of each call.
    """

    model = "fake-stt"

    def __init__(self, text: str = "hola", *, languages: tuple[str, ...] = ("es", "en"),
                 default_language: str = "es", detected: str | None = None) -> None:
        self.text = text
        self.languages = languages
        self.default_language = default_language
        self.detected = detected
        self.clips: list[AudioClip] = []
        self.asked: list[SpeechLanguage] = []

    async def transcribe(self, clip: AudioClip, *, language: SpeechLanguage) -> Transcript:
        asked = SpeechLanguage(language)
        if asked is not SpeechLanguage.AUTO and asked.value not in self.languages:
            raise UnsupportedLanguage(f"El modelo de pruebas solo entiende: {', '.join(self.languages)}.",
                                      field="lang")
        if not clip.data:
            raise UnreadableMedia("El archivo de audio está vacío.")
        self.clips.append(clip)
        self.asked.append(asked)
        used = asked.value if asked is not SpeechLanguage.AUTO else self.detected or self.default_language
        return Transcript(text=self.text, language=used, duration_s=_wav_seconds(clip.data))


def _wav_seconds(data: bytes) -> float:
    try:
        return round(wav_duration(data), 2)
    except UnreadableMedia:
        return 0.0


class FakeTextToSpeech:
    """A quiet 440 Hz tone, 60 ms a character (at least 0.2 s for any text), 16 kHz.

    The same voice and language rules as the real adapter: ``None`` or one of ``voices``, ``es`` or
    ``en``, else ``InvalidInput``. ``texts`` and ``languages`` record the calls.
    """

    model = "fake-tts"
    voices = ("af_heart",)
    sample_rate = 16_000

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.languages: list[str] = []

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        check_voice(voice, self.voices)
        check_language(language)
        self.texts.append(text)
        self.languages.append(language)
        seconds = 0.0 if not text.strip() else max(0.2, 0.06 * len(text.strip()))
        n = int(seconds * self.sample_rate)
        tone = (0.1 * np.sin(2 * np.pi * 440.0 * np.arange(n) / self.sample_rate)).astype(np.float32)
        return Speech(wav=wav_bytes(tone, self.sample_rate), sample_rate=self.sample_rate,
                      duration_s=round(n / self.sample_rate, 3))

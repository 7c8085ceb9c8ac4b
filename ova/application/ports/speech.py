from __future__ import annotations

from typing import Protocol

from ova.domain.speech import AudioClip, Speech, SpeechLanguage, Transcript


class SpeechToText(Protocol):
    """Transcribes a clip as speech in ``language`` (``AUTO``: as the language it detects, when the
    adapter can; else its default language). The transcript says the language it used.

    Raises ``UnreadableMedia`` when the bytes are not audio it can decode, and ``UnsupportedLanguage``
    when its model cannot hear ``language`` at all. Silence, or nothing heard, is an empty text."""

    @property
    def model(self) -> str: ...

    async def transcribe(self, clip: AudioClip, *, language: SpeechLanguage) -> Transcript: ...


class TextToSpeech(Protocol):
    """Speaks text as a WAV file with one of ``voices`` (``None`` means the default voice for
    ``language``). ``language`` is one of ``SPEECH_LANGUAGES`` (``es``, ``en``); any other, or a voice
    not in ``voices``, raises ``InvalidInput``. An engine speaks in its own language when it has only one."""

    @property
    def model(self) -> str: ...

    @property
    def voices(self) -> tuple[str, ...]: ...

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech: ...

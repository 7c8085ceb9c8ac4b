from __future__ import annotations

from typing import Protocol

from ova.domain.speech import AudioClip, Speech, Transcript


class SpeechToText(Protocol):
    """Transcribes a clip. Raises ``UnreadableMedia`` when the bytes are not audio it can decode."""

    @property
    def model(self) -> str: ...

    async def transcribe(self, clip: AudioClip) -> Transcript: ...


class TextToSpeech(Protocol):
    """Speaks text as a WAV file with one of ``voices`` (``None`` means the default voice for
    ``language``). ``language`` is one of ``SPEECH_LANGUAGES`` (``es``, ``en``); any other, or a voice
    not in ``voices``, raises ``InvalidInput``. An engine speaks in its own language when it has only one."""

    @property
    def model(self) -> str: ...

    @property
    def voices(self) -> tuple[str, ...]: ...

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech: ...

from __future__ import annotations

import time

from attrs import field, frozen

from ova.application.ports.speech import SpeechToText, TextToSpeech
from ova.domain.errors import InvalidInput
from ova.domain.speech import AudioClip, Speech, Transcript
from ova.domain.text import Text


@frozen
class SpeechRequest:
    """Text to speak (1 to 1000 characters) and, optionally, a voice."""

    text: str = field(validator=Text(min_length=1, max_length=1000, multiline=True))
    voice: str | None = field(default=None, validator=Text(min_length=1, max_length=64))


@frozen
class Transcription:
    transcript: Transcript
    model: str
    elapsed_ms: float


@frozen
class TranscribeAudio:
    stt: SpeechToText

    async def __call__(self, clip: AudioClip) -> Transcription:
        started = time.perf_counter()
        transcript = await self.stt.transcribe(clip)
        return Transcription(transcript, self.stt.model, round((time.perf_counter() - started) * 1000, 1))


@frozen
class SynthesizeSpeech:
    """Speak ``request.text``. A voice must be one of the engine's ``voices`` (whatever the engine,
    including one that would ignore it), so that the published enum of voices is what is accepted."""

    tts: TextToSpeech

    @property
    def voices(self) -> tuple[str, ...]:
        return tuple(self.tts.voices)

    async def __call__(self, request: SpeechRequest) -> Speech:
        voice = request.voice
        if voice is not None and voice not in self.tts.voices:
            raise InvalidInput(f"Voz desconocida: {voice[:64]!r}. Voces disponibles: {', '.join(self.tts.voices)}.",
                               field="voice")
        return await self.tts.synthesize(request.text, voice=voice)

from __future__ import annotations

import time

from attrs import field, frozen

from ova.application.ports.speech import SpeechToText, TextToSpeech
from ova.domain.errors import NoSpeech
from ova.domain.speech import AudioClip, Speech, SpeechLanguage, Transcript
from ova.domain.text import Text

_IN_LANGUAGE = {"es": "en español", "en": "en inglés"}


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
    """A voice note to text, in the language asked: ``es``, ``en`` or ``auto`` (any case), else
    ``default_language``. An unknown value is ``InvalidInput`` listing the accepted ones."""

    stt: SpeechToText
    default_language: str = "es"

    async def __call__(self, clip: AudioClip, language: str | None = None) -> Transcription:
        """The transcription; a note with nothing heard in it is ``NoSpeech``, not an empty text."""
        heard = await self.hear(clip, language)
        if not heard.transcript.text.strip():
            spoken = _IN_LANGUAGE.get(heard.transcript.language)
            raise NoSpeech(f"No he entendido nada {spoken} en la nota de voz." if spoken else None)
        return heard

    async def hear(self, clip: AudioClip, language: str | None = None) -> Transcription:
        """The transcription, its text empty when nothing was heard."""
        asked = SpeechLanguage.parse(language) if language is not None else SpeechLanguage(self.default_language)
        started = time.perf_counter()
        transcript = await self.stt.transcribe(clip, language=asked)
        return Transcription(transcript, self.stt.model, round((time.perf_counter() - started) * 1000, 1))


@frozen
class SynthesizeSpeech:
    tts: TextToSpeech

    async def __call__(self, request: SpeechRequest) -> Speech:
        return await self.tts.synthesize(request.text, voice=request.voice)

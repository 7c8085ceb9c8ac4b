from __future__ import annotations

import time
from typing import Literal

from attrs import field, frozen

from ova.application.ports.speech import SpeechToText, TextToSpeech
from ova.application.speech.sentences import speak_pieces
from ova.domain.errors import InvalidInput, NoSpeech
from ova.domain.sentences import split_sentences
from ova.domain.speech import AudioClip, Speech, SpeechLanguage, Transcript, join_speech
from ova.domain.text import Text

SENTENCE_PAUSE_S = 0.12
"""Silence between two sentences joined into one WAV."""
_IN_LANGUAGE = {"es": "en español", "en": "en inglés"}


@frozen
class SpeechRequest:
    """Text to speak (1 to 1000 characters) and, optionally, a voice and its language (``es`` or
    ``en``; without it, the service's default)."""

    text: str = field(validator=Text(min_length=1, max_length=1000, multiline=True))
    voice: str | None = field(default=None, validator=Text(min_length=1, max_length=64))
    lang: Literal["es", "en"] | None = None


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
    """The whole text as one WAV: spoken sentence by sentence (no engine is asked more than a
    sentence at once), the sentences joined with a short pause; ``default_language`` when the request
    names none. A voice must be one of the engine's ``voices`` (whatever the engine, including one
    that would ignore it), so that the published enum of voices is what is accepted."""

    tts: TextToSpeech
    default_language: str = "es"

    @property
    def voices(self) -> tuple[str, ...]:
        return tuple(self.tts.voices)

    async def __call__(self, request: SpeechRequest) -> Speech:
        voice = request.voice
        if voice is not None and voice not in self.tts.voices:
            raise InvalidInput(f"Voz desconocida: {voice[:64]!r}. Voces disponibles: {', '.join(self.tts.voices)}.",
                               field="voice")
        language = request.lang or self.default_language
        pieces = split_sentences(request.text) or [request.text]
        parts = [spoken.speech async for spoken in speak_pieces(self.tts, pieces, voice=voice, language=language)]
        return join_speech(parts, pause_s=SENTENCE_PAUSE_S)

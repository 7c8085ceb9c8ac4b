"""Talking with the assistant by voice: a voice note is transcribed, the transcript is answered as a
typed message would be (``Converse``), and the beginning of the answer is spoken back.

The use case composes the steps; what the user is shown as each one lands (the transcript, the
question as stored, the answer streamed, the answer, its audio) is the caller's, through a
``VoiceChatListener``: the chat decides there which of them become frames, and which wait. A chat
connection passes the object that answers its messages, so a voice note costs it no callbacks made
per message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Protocol

from attrs import frozen

from ova.application.chat.conversation import ChatThread, Converse
from ova.application.speech.use_cases import SpeechRequest, SynthesizeSpeech, TranscribeAudio
from ova.domain.chat import Turn
from ova.domain.errors import DomainError, NoSpeech
from ova.domain.language import Language
from ova.domain.speech import AudioClip, Speech
from ova.domain.users import User

SPOKEN_CHARS = 1000  # the most a ``SpeechRequest`` takes: a longer answer is spoken up to here


class VoiceChatListener(Protocol):
    """What a voice reply shows as it goes, in this order: ``heard``, then (unless nothing was heard)
    ``current_user``, ``asked``, ``streamed``, ``answered``, and ``spoken`` or ``not_spoken``."""

    async def heard(self, text: str) -> None:
        """The transcript (stripped; empty when nothing was heard, and ``NoSpeech`` follows)."""

    async def current_user(self) -> User | None:
        """Who is writing as of now (asked after the transcription, which may take a while)."""

    async def asked(self, question: Turn) -> None:
        """The transcript stored as the user's turn of the conversation (its text and time as kept)."""

    async def streamed(self, pieces: AsyncIterator[str]) -> str:
        """Consume the answer as the model writes it, and give back its whole text."""

    async def answered(self, turn: Turn) -> None:
        """The answer, as stored in the conversation."""

    async def spoken(self, text: str, speech: Speech) -> None:
        """The answer's audio (``text`` is the whole answer; ``speech`` its first ``SPOKEN_CHARS``)."""

    async def not_spoken(self, error: Exception) -> None:
        """The speech could not be made: the text answer already stands on its own."""


@frozen
class VoiceChat:
    """Transcribe a voice note, converse with the transcript, speak the answer.

    Raises what its steps raise before the answer is stored (``NoSpeech`` for an empty transcript,
    a refused or failed transcription, the conversation's errors); a failed synthesis does not raise,
    as the message is already answered by then: the listener is told instead."""

    transcribe: TranscribeAudio
    converse: Converse
    synthesize: SynthesizeSpeech

    async def __call__(self, thread: ChatThread, clip: AudioClip, listener: VoiceChatListener,
                       language: Language | None = None) -> Turn:
        """``language``: the one the voice note's frame names, if any (see ``Converse.begin``)."""
        heard = await self.transcribe(clip)
        text = heard.transcript.text.strip()
        await listener.heard(text)
        if not text:
            raise NoSpeech()
        converse = self.converse
        pending = await converse.begin(thread, text, user=await listener.current_user(), language=language)
        await listener.asked(pending.question)
        async with aclosing(converse.stream(pending)) as pieces:
            answer = await listener.streamed(pieces)
        turn = await converse.finish(pending, answer)
        await listener.answered(turn)
        await self.speak(turn.text, listener)
        return turn

    async def speak(self, text: str, listener: VoiceChatListener) -> None:
        try:
            speech = await self.synthesize(SpeechRequest(text[:SPOKEN_CHARS]))
        except (DomainError, ValueError) as error:  # ValueError: a text the request refuses
            await listener.not_spoken(error)
            return
        await listener.spoken(text, speech)

"""Talking with the assistant by voice: a voice note is transcribed, the transcript is answered as a
typed message would be (``Converse``), and the beginning of the answer is spoken back, in the
language the note was heard in: as one WAV, or sentence by sentence for a client that asks for it
(the first sentence plays while the next is synthesised).

The use case composes the steps; what the user is shown as each one lands (the transcript, the
question as stored, the answer streamed, the answer, its audio) is the caller's, through a
``VoiceChatListener``: the chat decides there which of them become frames, and which wait. A chat
connection passes the object that answers its messages, so a voice note costs it no callbacks made
per message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Literal, Protocol

from attrs import frozen

from ova.application.chat.conversation import ChatThread, Converse
from ova.application.speech.sentences import SpeakSentences, SpokenSentence
from ova.application.speech.use_cases import SpeechRequest, SynthesizeSpeech, TranscribeAudio
from ova.domain.chat import Turn
from ova.domain.errors import DomainError, NoSpeech
from ova.domain.language import Language
from ova.domain.speech import AudioClip, Speech, SpeechLanguage
from ova.domain.users import User

SPOKEN_CHARS = 1000  # the most a ``SpeechRequest`` takes: a longer answer is spoken up to here


class VoiceChatListener(Protocol):
    """What a voice reply shows as it goes, in this order: ``heard``, then (unless nothing was heard)
    ``current_user``, ``asked``, ``streamed``, ``answered``, and ``spoken`` (or, sentence by sentence,
    ``spoken_sentence`` for each) or ``not_spoken``."""

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

    async def spoken_sentence(self, sentence: SpokenSentence) -> None:
        """One sentence of the answer's audio, in order; the last has ``final`` set."""

    async def not_spoken(self, error: Exception) -> None:
        """The speech could not be made: the text answer already stands on its own."""


@frozen
class VoiceChat:
    """Transcribe a voice note, converse with the transcript, speak the answer.

    Raises what its steps raise before the answer is stored (``NoSpeech`` for an empty transcript,
    a refused or failed transcription, the conversation's errors); a failed synthesis does not raise,
    as the message is already answered by then: the listener is told instead (after the sentences
    already spoken, when it speaks sentence by sentence).

    The answer is spoken in the language the note was heard in when speech is made in it, else in
    ``default_language``."""

    transcribe: TranscribeAudio
    converse: Converse
    synthesize: SynthesizeSpeech
    speak_sentences: SpeakSentences
    default_language: str = "es"

    async def __call__(self, thread: ChatThread, clip: AudioClip, listener: VoiceChatListener, *,
                       by_sentence: bool = False, language: str | None = None) -> Turn:
        """``language``: what the note's frame says it is spoken in (``es``, ``en`` or ``auto``: the
        speech model's detection); without it, the conversation's language (``?lang=``, the chat's own,
        ``Accept-Language``), else the default. A named ``es``/``en`` is also the conversation's
        language from this message on (see ``Converse.begin``); the answer is spoken in the language it
        is written in, the conversation's."""
        converse = self.converse
        asked = SpeechLanguage.parse(language) if language is not None else None  # InvalidInput: es, en, auto
        named = None if asked in (None, SpeechLanguage.AUTO) else Language(asked)
        hear_as = asked.value if asked is not None else (await converse.expected_language(thread)).value
        heard = await self.transcribe.hear(clip, hear_as)
        text = heard.transcript.text.strip()
        await listener.heard(text)
        if not text:
            raise NoSpeech()
        pending = await converse.begin(thread, text, user=await listener.current_user(), language=named)
        language = pending.prompt.language.value
        await listener.asked(pending.question)
        async with aclosing(converse.stream(pending)) as pieces:
            answer = await listener.streamed(pieces)
        turn = await converse.finish(pending, answer)
        await listener.answered(turn)
        if by_sentence:
            await self.speak_by_sentence(turn.text, listener, language=language)
        else:
            await self.speak(turn.text, listener, language=language)
        return turn

    async def speak(self, text: str, listener: VoiceChatListener, *, language: str | None = None) -> None:
        try:
            speech = await self.synthesize(SpeechRequest(text[:SPOKEN_CHARS], lang=_known(language)))
        except (DomainError, ValueError) as error:  # ValueError: a text the request refuses
            await listener.not_spoken(error)
            return
        await listener.spoken(text, speech)

    async def speak_by_sentence(self, text: str, listener: VoiceChatListener, *, language: str | None = None) -> None:
        """``text`` (its first ``SPOKEN_CHARS``) spoken a sentence at a time, each handed to the
        listener as soon as it is ready."""
        spoken = self.speak_sentences(text[:SPOKEN_CHARS], language=_known(language) or self.default_language)
        try:
            async with aclosing(spoken) as sentences:
                async for sentence in sentences:
                    await listener.spoken_sentence(sentence)
        except DomainError as error:
            await listener.not_spoken(error)


def _known(language: str | None) -> Literal["es", "en"] | None:
    return "es" if language == "es" else "en" if language == "en" else None

"""The voice-chat use case on ova's fakes: what the listener is shown, in which order, and what is
stored, for a voice note, one with no speech, and one whose answer cannot be spoken."""

from __future__ import annotations

from collections.abc import AsyncIterator

import attrs
import pytest

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.fakes.speech import FakeSpeechToText, FakeTextToSpeech
from ova.application.chat.conversation import ChatPolicy, ChatThread, Converse
from ova.application.chat.voice import SPOKEN_CHARS, VoiceChat
from ova.application.speech.sentences import SpeakSentences, SpokenSentence
from ova.application.speech.use_cases import SynthesizeSpeech, TranscribeAudio
from ova.domain.chat import Speaker, Turn
from ova.domain.errors import InvalidInput, ModelUnavailable, NoSpeech, UnreadableMedia
from ova.domain.speech import AudioClip, Speech, SpeechLanguage, Transcript
from ova.domain.users import Role, User
from tests.fakes.clock import FakeClock, SequentialIds
from tests.fakes.repositories import InMemoryUnitOfWorkFactory

CLIP = AudioClip(b"not really a voice note", "webm")


class Listener:
    """Records what a voice reply shows, as ``(event, value)`` pairs in order."""

    def __init__(self, user: User | None = None) -> None:
        self.user = user
        self.events: list[tuple[str, object]] = []

    async def heard(self, text: str) -> None:
        self.events.append(("heard", text))

    async def current_user(self) -> User | None:
        self.events.append(("current_user", self.user))
        return self.user

    async def asked(self, question: Turn) -> None:
        self.events.append(("asked", (question.speaker, question.text)))

    async def streamed(self, pieces: AsyncIterator[str]) -> str:
        got = [piece async for piece in pieces]
        self.events.append(("streamed", got))
        return "".join(got)

    async def answered(self, turn: Turn) -> None:
        self.events.append(("answered", turn.text))

    async def spoken(self, text: str, speech: Speech) -> None:
        self.events.append(("spoken", (text, speech.wav[:4])))

    async def spoken_sentence(self, sentence: SpokenSentence) -> None:
        self.events.append(("spoken_sentence", (sentence.index, sentence.text, sentence.final)))

    async def not_spoken(self, error: Exception) -> None:
        self.events.append(("not_spoken", type(error)))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]


class BrokenTextToSpeech(FakeTextToSpeech):
    """The fake voice, down."""

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        raise ModelUnavailable("La síntesis de voz de prueba falla a propósito.")


class FailingAfterOne(FakeTextToSpeech):
    """The fake voice, speaking one sentence and then down."""

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        if self.texts:
            raise ModelUnavailable("La síntesis de voz de prueba falla a propósito.")
        return await super().synthesize(text, voice=voice, language=language)


class HeardIn(FakeSpeechToText):
    """Reports whatever language it is told the note was heard in (``ja``, ``und``: what a real
    model might say), whatever it was asked."""

    def __init__(self, text: str, heard_in: str) -> None:
        super().__init__(text)
        self.heard_in = heard_in

    async def transcribe(self, clip: AudioClip, *, language: SpeechLanguage) -> Transcript:
        return attrs.evolve(await super().transcribe(clip, language=language), language=self.heard_in)


class Voice:
    def __init__(
        self, heard: str = "hola", *, tts: FakeTextToSpeech | None = None, language: str | None = None,
    ) -> None:
        self.clock = FakeClock()
        self.uow = InMemoryUnitOfWorkFactory()
        self.model = FakeChatModel()
        self.stt = FakeSpeechToText(heard) if language is None else HeardIn(heard, language)
        self.tts = tts or FakeTextToSpeech()
        self.converse = Converse(self.uow, self.uow.journal(), self.model, self.clock, SequentialIds("chat"),
                                 ChatPolicy("Eres OVA."))
        self.chat = VoiceChat(TranscribeAudio(self.stt), self.converse, SynthesizeSpeech(self.tts),
                              SpeakSentences(self.tts))

    async def turns(self, chat_id: str) -> list[tuple[Speaker, str]]:
        async with self.uow(read_only=True) as uow:
            return [(turn.speaker, turn.text) for turn in await uow.conversations.recent_turns(chat_id, limit=10)]


async def test_a_voice_note_is_heard_answered_stored_and_spoken_in_that_order() -> None:
    voice, listener = Voice("  hola  "), Listener()
    turn = await voice.chat(ChatThread("c1"), CLIP, listener)
    assert listener.events == [
        ("heard", "hola"),
        ("current_user", None),
        ("asked", (Speaker.USER, "hola")),
        ("streamed", ["Respuesta ", "a: ", "hola"]),
        ("answered", "Respuesta a: hola"),
        ("spoken", ("Respuesta a: hola", b"RIFF")),
    ]
    assert turn.text == "Respuesta a: hola"
    assert voice.stt.clips == [CLIP]
    assert voice.model.prompts[-1].message == "hola"
    assert voice.tts.texts == ["Respuesta a: hola"]
    assert await voice.turns("c1") == [(Speaker.USER, "hola"), (Speaker.ASSISTANT, "Respuesta a: hola")]


async def test_the_message_is_the_users_as_of_after_the_transcription() -> None:
    voice = Voice()
    user = await _user(voice)
    listener = Listener(user)
    await voice.chat(ChatThread("c1"), CLIP, listener)
    assert listener.kinds()[:2] == ["heard", "current_user"]
    async with voice.uow(read_only=True) as uow:
        conversation = await uow.conversations.get("c1")
    assert conversation is not None and conversation.owner_id == user.id


async def test_the_question_shown_is_the_users_turn_as_stored_before_the_model_is_asked() -> None:
    voice = Voice("  ¿qué hora es?  ")
    shown: list[Turn] = []
    prompts_when_asked: list[int] = []

    class Watching(Listener):
        async def asked(self, question: Turn) -> None:
            shown.append(question)
            prompts_when_asked.append(len(voice.model.prompts))

    await voice.chat(ChatThread("c1"), CLIP, Watching())
    async with voice.uow(read_only=True) as uow:
        stored = (await uow.conversations.recent_turns("c1", limit=10))[0]
    assert [(turn.speaker, turn.text, turn.at) for turn in shown] == [(Speaker.USER, "¿qué hora es?", stored.at)]
    assert prompts_when_asked == [0]


async def test_no_speech_shows_the_empty_transcript_then_fails_and_nothing_is_asked_or_stored() -> None:
    voice, listener = Voice("   "), Listener()
    with pytest.raises(NoSpeech) as raised:
        await voice.chat(ChatThread("c1"), CLIP, listener)
    assert raised.value.code == "no_speech"
    assert listener.events == [("heard", "")]
    assert not voice.model.prompts and not voice.tts.texts
    assert await voice.turns("c1") == []


async def test_a_note_is_heard_in_the_language_it_names_else_the_conversations_else_the_default() -> None:
    voice = Voice()
    thread = ChatThread("c1")
    await voice.chat(thread, CLIP, Listener(), language="en")
    await voice.chat(thread, CLIP, Listener())  # the chat is now held in English
    await voice.chat(ChatThread("c2"), CLIP, Listener())  # a new chat: the default
    await voice.chat(ChatThread("c3"), CLIP, Listener(), language="auto")
    assert voice.stt.asked == [SpeechLanguage.EN, SpeechLanguage.EN, SpeechLanguage.ES, SpeechLanguage.AUTO]


async def test_an_unknown_language_fails_before_anything_is_heard_or_stored() -> None:
    voice, listener = Voice(), Listener()
    with pytest.raises(InvalidInput):
        await voice.chat(ChatThread("c1"), CLIP, listener, language="klingon")
    assert listener.events == [] and voice.stt.clips == []
    assert await voice.turns("c1") == []


async def test_a_clip_the_transcriber_refuses_fails_before_anything_is_shown() -> None:
    voice, listener = Voice(), Listener()
    with pytest.raises(UnreadableMedia):
        await voice.chat(ChatThread("c1"), AudioClip(b"", "wav"), listener)
    assert listener.events == []
    assert await voice.turns("c1") == []


async def test_only_the_beginning_of_a_long_answer_is_spoken_but_the_whole_of_it_is_shown() -> None:
    voice, listener = Voice("palabra " * 200), Listener()
    turn = await voice.chat(ChatThread("c1"), CLIP, listener)
    assert len(turn.text) > SPOKEN_CHARS
    assert " ".join(voice.tts.texts) == turn.text[:SPOKEN_CHARS].strip()
    assert listener.events[-1] == ("spoken", (turn.text, b"RIFF"))


async def test_a_failed_synthesis_leaves_the_text_answer_standing() -> None:
    voice, listener = Voice(tts=BrokenTextToSpeech()), Listener()
    turn = await voice.chat(ChatThread("c1"), CLIP, listener)
    assert listener.kinds() == ["heard", "current_user", "asked", "streamed", "answered", "not_spoken"]
    assert listener.events[-1] == ("not_spoken", ModelUnavailable)
    assert await voice.turns("c1") == [(Speaker.USER, "hola"), (Speaker.ASSISTANT, turn.text)]


@pytest.mark.parametrize(("named", "heard_in", "spoken_in"), [
    ("es", "es", "es"), ("en", "en", "en"), ("auto", "ja", "es"), (None, "und", "es"),
])
async def test_the_answer_is_spoken_in_the_conversations_language_whatever_the_model_reported(
    named: str | None, heard_in: str, spoken_in: str,
) -> None:
    voice = Voice("Hola. Adiós.", language=heard_in)  # Spanish words, whatever language the model says
    await voice.chat(ChatThread("c1"), CLIP, Listener(), language=named)
    await voice.chat(ChatThread("c2"), CLIP, Listener(), by_sentence=True, language=named)
    assert voice.tts.languages and set(voice.tts.languages) == {spoken_in}


async def test_by_sentence_the_answer_is_spoken_a_sentence_at_a_time_after_it_is_shown() -> None:
    voice, listener = Voice("Hola. ¿Qué tal?"), Listener()
    await voice.chat(ChatThread("c1"), CLIP, listener, by_sentence=True)
    assert listener.events[4:] == [
        ("answered", "Respuesta a: Hola. ¿Qué tal?"),
        ("spoken_sentence", (0, "Respuesta a: Hola.", False)),
        ("spoken_sentence", (1, "¿Qué tal?", True)),
    ]
    assert voice.tts.texts == ["Respuesta a: Hola.", "¿Qué tal?"]


async def test_by_sentence_a_failed_synthesis_ends_the_speech_after_what_was_spoken() -> None:
    voice, listener = Voice("Una. Dos. Tres.", tts=FailingAfterOne()), Listener()
    turn = await voice.chat(ChatThread("c1"), CLIP, listener, by_sentence=True)
    assert listener.kinds()[-2:] == ["spoken_sentence", "not_spoken"]
    assert listener.events[-2] == ("spoken_sentence", (0, "Respuesta a: Una.", False))
    assert await voice.turns("c1") == [(Speaker.USER, "Una. Dos. Tres."), (Speaker.ASSISTANT, turn.text)]


async def _user(voice: Voice) -> User:
    async with voice.uow() as uow:
        user = await uow.users.add(User("ana", "ana@example.org", Role.USER, True, voice.clock.now(), "h"))
        await uow.commit()
    return user

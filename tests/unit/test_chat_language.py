"""A conversation's language: chosen at its first message in the documented order, kept when the
chat continues, stored with the chat, and followed by the system prompt and the stored apology."""

from __future__ import annotations

import pytest

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.application.chat.conversation import ChatPolicy, ChatThread, Converse
from ova.domain.errors import EmptyAnswer
from ova.domain.language import Language
from tests.fakes.clock import FakeClock, SequentialIds
from tests.fakes.repositories import InMemoryUnitOfWorkFactory

PROMPTS = {Language.ES: "Eres OVA. Responde en español.", Language.EN: "You are OVA. Answer in English."}


class Chat:
    def __init__(self, default: Language = Language.ES) -> None:
        self.uow = InMemoryUnitOfWorkFactory()
        self.model = FakeChatModel()
        self.clock = FakeClock()
        policy = ChatPolicy("sin idioma", system_prompts=PROMPTS, default_language=default)
        self.converse = Converse(self.uow, self.uow.journal(), self.model, self.clock, SequentialIds("chat"), policy)

    def connect(self, chat_id: str, *, asked: Language | None = None,
                preferred: Language | None = None) -> ChatThread:
        """A new connection to ``chat_id`` (``?lang=`` and ``Accept-Language`` as given)."""
        return self.converse.thread(chat_id, asked=asked, preferred=preferred)

    async def say(self, thread: ChatThread, text: str, language: Language | None = None) -> str:
        pending = await self.converse.begin(thread, text, user=None, language=language)
        answer = "".join([piece async for piece in self.converse.stream(pending)])
        self.clock.advance(1)
        return (await self.converse.finish(pending, answer)).text

    async def stored_language(self, chat_id: str) -> Language | None:
        async with self.uow(read_only=True) as uow:
            conversation = await uow.conversations.get(chat_id)
        assert conversation is not None
        return conversation.language

    @property
    def last_system_prompt(self) -> str:
        return self.model.prompts[-1].system


@pytest.fixture
def chat() -> Chat:
    return Chat()


async def test_the_first_message_decides_the_language_when_nothing_names_one(chat: Chat) -> None:
    await chat.say(chat.connect("c1"), "What is the capital of Spain?")
    assert chat.last_system_prompt == PROMPTS[Language.EN]
    assert chat.model.prompts[-1].language is Language.EN
    assert await chat.stored_language("c1") is Language.EN


async def test_a_message_that_does_not_tell_gets_the_default_language() -> None:
    chat = Chat(default=Language.EN)
    await chat.say(chat.connect("c1"), "ok 42")
    assert chat.last_system_prompt == PROMPTS[Language.EN]
    assert await chat.stored_language("c1") is Language.EN


async def test_accept_language_wins_over_the_guess(chat: Chat) -> None:
    await chat.say(chat.connect("c1", preferred=Language.ES), "What is the capital of Spain?")
    assert chat.last_system_prompt == PROMPTS[Language.ES]


async def test_the_frames_language_wins_over_accept_language(chat: Chat) -> None:
    await chat.say(chat.connect("c1", preferred=Language.ES), "hola", language=Language.EN)
    assert chat.last_system_prompt == PROMPTS[Language.EN]


async def test_the_urls_lang_wins_over_the_frames_language(chat: Chat) -> None:
    await chat.say(chat.connect("c1", asked=Language.ES), "hello", language=Language.EN)
    assert chat.last_system_prompt == PROMPTS[Language.ES]
    assert await chat.stored_language("c1") is Language.ES


async def test_a_chat_that_continues_keeps_its_language(chat: Chat) -> None:
    await chat.say(chat.connect("c1"), "¿Qué hora es?")
    again = chat.connect("c1", preferred=Language.EN)  # a reconnection from an English browser
    assert again.language is Language.EN  # before its first message it knows only the header...
    await chat.say(again, "What time is it now?")
    assert chat.last_system_prompt == PROMPTS[Language.ES]  # ...then the chat's own language wins
    assert again.language is Language.ES
    assert await chat.stored_language("c1") is Language.ES


async def test_a_language_named_later_changes_the_chats_language_from_then_on(chat: Chat) -> None:
    thread = chat.connect("c1")
    await chat.say(thread, "hola")
    await chat.say(thread, "now in English please", language=Language.EN)
    assert await chat.stored_language("c1") is Language.EN
    await chat.say(chat.connect("c1"), "y ahora?")
    assert chat.last_system_prompt == PROMPTS[Language.EN]


async def test_a_new_chat_under_a_made_up_id_stores_its_language_with_its_first_turn(chat: Chat) -> None:
    thread = chat.converse.new_thread(asked=Language.EN)
    await chat.say(thread, "hola")
    assert await chat.stored_language(thread.chat_id) is Language.EN


async def test_the_thread_says_the_language_before_and_after_the_first_message(chat: Chat) -> None:
    thread = chat.connect("c1")
    assert thread.language is None
    assert chat.converse.language_of(thread) is Language.ES  # the default, until the message decides
    await chat.say(thread, "Where is the station?")
    assert thread.language is Language.EN
    assert chat.converse.language_of(thread) is Language.EN


async def test_an_empty_answer_is_an_error_whatever_the_language(chat: Chat) -> None:
    """Its code is stable; the entrypoint words it in the conversation's language (messages.py)."""
    for chat_id, language in (("c1", Language.EN), ("c2", Language.ES)):
        with pytest.raises(EmptyAnswer) as caught:
            await chat.say(chat.connect(chat_id, asked=language), "!empty")
        assert caught.value.code == "empty_answer"


async def test_a_language_without_a_prompt_of_its_own_gets_the_general_one() -> None:
    chat = Chat()
    chat.converse = Converse(chat.uow, chat.uow.journal(), chat.model, chat.clock, SequentialIds("chat"),
                             ChatPolicy("general", system_prompts={Language.ES: "es"}))
    await chat.say(chat.connect("c1", asked=Language.EN), "hi")
    assert chat.last_system_prompt == "general"


async def test_a_voice_note_expects_the_named_language_else_the_chats_else_the_header_else_the_default(
    chat: Chat,
) -> None:
    await chat.say(chat.connect("english"), "Where is the nearest bus stop?")
    expected = chat.converse.expected_language
    assert await expected(chat.connect("english", asked=Language.ES)) is Language.ES
    assert await expected(chat.connect("english"), Language.ES) is Language.ES
    assert await expected(chat.connect("english", preferred=Language.ES)) is Language.EN  # read from the chat
    assert await expected(chat.connect("new", preferred=Language.EN)) is Language.EN
    assert await expected(chat.converse.new_thread()) is Language.ES

"""The turn journal's contract, against the in-memory fake, SQLite and MariaDB."""

from __future__ import annotations

import asyncio

import pytest

from ova.application.ports.repositories import TurnJournal
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.chat import Conversation, Speaker
from ova.domain.errors import NotFound
from ova.domain.language import Language
from tests.contract.test_conversation_contract import T0, UNICODE_TEXT, a_chat, a_turn, add_chats, add_user, at


async def stored(uow_factory: UnitOfWorkFactory, chat_id: str) -> tuple[Conversation | None, list[str]]:
    async with uow_factory(read_only=True) as uow:
        conversation = await uow.conversations.get(chat_id)
        turns = await uow.conversations.recent_turns(chat_id, limit=1000)
    return conversation, [t.text for t in turns]


async def test_an_appended_turn_is_stored_counted_and_dates_the_chat(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"))
    count = await turn_journal.append("c1", a_turn(UNICODE_TEXT, 5), owner_id=None, title="Primero")
    conversation, texts = await stored(uow_factory, "c1")
    assert count == 1
    assert texts == [UNICODE_TEXT]
    assert conversation is not None
    assert (conversation.message_count, conversation.title, conversation.updated_at) == (1, "Primero", at(5))
    assert conversation.created_at == T0 and conversation.owner_id is None


async def test_the_title_is_set_once_and_an_anonymous_chat_is_claimed_once(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    ana, luis = await add_user(uow_factory, "ana@example.com"), await add_user(uow_factory, "luis@example.com")
    await add_chats(uow_factory, a_chat("c1"))
    await turn_journal.append("c1", a_turn("hola", 1), owner_id=None, title="hola")
    await turn_journal.append("c1", a_turn("soy Ana", 2), owner_id=ana, title="soy Ana")
    await turn_journal.append("c1", a_turn("soy Luis", 3), owner_id=luis, title="soy Luis")
    conversation, _ = await stored(uow_factory, "c1")
    assert conversation is not None and (conversation.owner_id, conversation.title) == (ana, "hola")


async def test_the_count_returned_includes_turns_other_writers_added(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal, other_turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"))
    assert await turn_journal.append("c1", a_turn("uno", 1), owner_id=None, title="") == 1
    assert await other_turn_journal.append("c1", a_turn("otro", 2), owner_id=None, title="") == 2
    assert await turn_journal.append("c1", a_turn("dos", 3), owner_id=None, title="") == 3
    assert (await stored(uow_factory, "c1"))[1] == ["uno", "otro", "dos"]


async def test_a_turn_for_a_missing_chat_is_refused_and_the_others_of_its_batch_are_written(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"), a_chat("c2"))
    outcomes = await asyncio.gather(
        turn_journal.append("c1", a_turn("uno", 1), owner_id=None, title=""),
        turn_journal.append("missing", a_turn("perdido", 1), owner_id=None, title=""),
        turn_journal.append("c2", a_turn("dos", 1), owner_id=None, title=""),
        return_exceptions=True,
    )
    assert outcomes[0] == 1 and outcomes[2] == 1
    assert isinstance(outcomes[1], NotFound)
    assert (await stored(uow_factory, "c1"))[1] == ["uno"]
    assert (await stored(uow_factory, "c2"))[1] == ["dos"]
    assert (await stored(uow_factory, "missing")) == (None, [])


async def test_claiming_by_a_user_who_does_not_exist_is_refused(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"))
    with pytest.raises(ValueError, match="4242"):
        await turn_journal.append("c1", a_turn("hola", 1), owner_id=4242, title="hola")
    conversation, texts = await stored(uow_factory, "c1")
    assert texts == [] and conversation is not None and conversation.owner_id is None


async def test_many_turns_at_once_are_all_stored_in_each_chats_order(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    chats = [a_chat(f"c{index}") for index in range(20)]
    await add_chats(uow_factory, *chats)

    async def talk(chat_id: str) -> list[int]:
        return [await turn_journal.append(chat_id, a_turn(f"{chat_id}-{n}", n, Speaker.USER if n % 2 == 0
                                                           else Speaker.ASSISTANT), owner_id=None, title="")
                for n in range(6)]

    counts = await asyncio.gather(*(talk(chat.id) for chat in chats))
    assert counts == [[1, 2, 3, 4, 5, 6]] * len(chats)
    for chat in chats:
        conversation, texts = await stored(uow_factory, chat.id)
        assert texts == [f"{chat.id}-{n}" for n in range(6)]
        assert conversation is not None and conversation.message_count == 6 and conversation.updated_at == at(5)


async def test_a_caller_that_stops_waiting_still_gets_its_turn_stored(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"))
    waiting = asyncio.ensure_future(turn_journal.append("c1", a_turn("uno", 1), owner_id=None, title=""))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert await turn_journal.append("c1", a_turn("dos", 2), owner_id=None, title="") == 2
    assert (await stored(uow_factory, "c1"))[1] == ["uno", "dos"]


async def test_a_turn_can_create_its_chat_in_the_same_commit(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    ana = await add_user(uow_factory, "ana@example.com")
    count = await turn_journal.append("nuevo", a_turn("hola", 3), owner_id=ana, title="hola", created_at=at(3))
    conversation, texts = await stored(uow_factory, "nuevo")
    assert count == 1 and texts == ["hola"]
    assert conversation is not None
    assert (conversation.owner_id, conversation.title, conversation.created_at, conversation.updated_at) == (
        ana, "hola", at(3), at(3),
    )


async def test_creating_a_chat_that_exists_is_refused_and_the_rest_of_the_batch_is_written(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"))
    outcomes = await asyncio.gather(
        turn_journal.append("c1", a_turn("otra vez", 1), owner_id=None, title="", created_at=at(1)),
        turn_journal.append("c2", a_turn("nuevo", 1), owner_id=None, title="", created_at=at(1)),
        return_exceptions=True,
    )
    assert isinstance(outcomes[0], ValueError) and "already exists" in str(outcomes[0])
    assert outcomes[1] == 1
    assert (await stored(uow_factory, "c1"))[1] == []
    assert (await stored(uow_factory, "c2"))[1] == ["nuevo"]


async def test_a_turn_stores_the_language_it_names_and_a_turn_naming_none_keeps_it(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"))
    await turn_journal.append("nuevo", a_turn("hi", 1), owner_id=None, title="hi", created_at=at(1),
                              language=Language.EN)
    await turn_journal.append("c1", a_turn("hola", 1), owner_id=None, title="hola", language=Language.ES)
    await turn_journal.append("c1", a_turn("otra", 2), owner_id=None, title="")
    assert (await stored(uow_factory, "nuevo"))[0] == Conversation(
        id="nuevo", created_at=at(1), updated_at=at(1), title="hi", message_count=1, language=Language.EN)
    conversation, _ = await stored(uow_factory, "c1")
    assert conversation is not None and conversation.language is Language.ES
    await turn_journal.append("c1", a_turn("now in English", 3), owner_id=None, title="", language=Language.EN)
    conversation, _ = await stored(uow_factory, "c1")
    assert conversation is not None and conversation.language is Language.EN


async def test_turns_of_one_batch_leave_their_chat_in_the_last_language_named(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("c1"))
    await asyncio.gather(
        turn_journal.append("c1", a_turn("uno", 1), owner_id=None, title="", language=Language.EN),
        turn_journal.append("c1", a_turn("dos", 2), owner_id=None, title="", language=Language.ES),
        turn_journal.append("c1", a_turn("tres", 3), owner_id=None, title=""),
    )
    conversation, texts = await stored(uow_factory, "c1")
    assert texts == ["uno", "dos", "tres"]
    assert conversation is not None and conversation.language is Language.ES

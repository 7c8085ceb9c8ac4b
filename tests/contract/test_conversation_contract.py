"""The conversation repository's contract, against the in-memory fakes, SQLite and MariaDB. Turns are
written as the service writes them, through the turn journal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from ova.application.ports.repositories import TurnJournal
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.chat import Conversation, Speaker, Turn
from ova.domain.language import Language
from ova.domain.users import Role, User

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
MADRID = timezone(timedelta(hours=1))
UNICODE_TEXT = "Zoë Ñandú 😀👩🏽‍💻 漢字 e\u0301 \"quotes\" 'single' \\ back\nline\ttab "


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def a_chat(chat_id: str = "chat-1", owner_id: int | None = None, updated: float = 0) -> Conversation:
    return Conversation(id=chat_id, created_at=T0, updated_at=at(updated), owner_id=owner_id)


def a_turn(text: str, seconds: float = 0, speaker: Speaker = Speaker.USER) -> Turn:
    return Turn(speaker=speaker, text=text, at=at(seconds))


async def add_user(uow_factory: UnitOfWorkFactory, email: str) -> int:
    async with uow_factory() as uow:
        user = await uow.users.add(User(nombre="Ana", email=email, rol=Role.USER, activo=True, fecha_registro=T0))
        await uow.commit()
    assert user.id is not None
    return user.id


async def add_chats(uow_factory: UnitOfWorkFactory, *chats: Conversation) -> None:
    async with uow_factory() as uow:
        for chat in chats:
            await uow.conversations.add(chat)
        await uow.commit()


async def append_turns(turn_journal: TurnJournal, chat_id: str, *turns: Turn) -> None:
    """Each turn committed in order; the chat keeps its owner and title."""
    for turn in turns:
        await turn_journal.append(chat_id, turn, owner_id=None, title="")


# --- chats -----------------------------------------------------------------------------------------


async def test_add_then_get_round_trips_a_chat_with_aware_utc_datetimes(
    uow_factory: UnitOfWorkFactory,
) -> None:
    owner = await add_user(uow_factory, "ana@example.com")
    created = datetime(2026, 7, 14, 23, 59, 58, 999999, tzinfo=MADRID)
    chat = Conversation(
        id="chat-1",
        created_at=created,
        updated_at=created + timedelta(minutes=5),
        owner_id=owner,
        title="¿Qué es un semáforo? 🚦",
        message_count=0,
    )
    await add_chats(uow_factory, chat)
    async with uow_factory() as uow:
        stored = await uow.conversations.get("chat-1")
    assert stored == chat
    assert stored is not None
    for value, expected in [(stored.created_at, created), (stored.updated_at, chat.updated_at)]:
        assert value.utcoffset() == timedelta(0)
        assert value.microsecond == expected.astimezone(UTC).microsecond


async def test_an_anonymous_chat_round_trips_with_no_owner_and_an_empty_title(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await add_chats(uow_factory, a_chat())
    async with uow_factory() as uow:
        stored = await uow.conversations.get("chat-1")
    assert stored is not None
    assert (stored.owner_id, stored.title, stored.message_count) == (None, "", 0)


async def test_a_chat_round_trips_its_language_and_one_without_has_none(uow_factory: UnitOfWorkFactory) -> None:
    await add_chats(uow_factory, attrs.evolve(a_chat("en"), language=Language.EN),
                    attrs.evolve(a_chat("es"), language=Language.ES), a_chat("none"))
    async with uow_factory(read_only=True) as uow:
        languages = [(await uow.conversations.get(chat_id)) for chat_id in ("en", "es", "none")]
        listed = await uow.conversations.list(owner_id=None, skip=0, limit=10)
    assert [chat.language if chat else "missing" for chat in languages] == [Language.EN, Language.ES, None]
    assert {chat.id: chat.language for chat in listed.items} == {"en": Language.EN, "es": Language.ES, "none": None}


async def test_get_unknown_chat_returns_none(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.conversations.get("nope") is None


async def test_adding_an_existing_chat_id_raises_and_the_transaction_stays_usable(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await add_chats(uow_factory, a_chat("chat-1"))
    async with uow_factory() as uow:
        with pytest.raises(ValueError, match="already exists"):
            await uow.conversations.add(a_chat("chat-1", updated=60))
        await uow.conversations.add(a_chat("chat-2"))
        await uow.commit()
    async with uow_factory() as uow:
        page = await uow.conversations.list(owner_id=None, skip=0, limit=10)
        first = await uow.conversations.get("chat-1")
    assert sorted(c.id for c in page.items) == ["chat-1", "chat-2"]
    assert first is not None and first.updated_at == T0


async def test_adding_a_chat_for_an_unknown_owner_raises(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(ValueError, match="no user"):
            await uow.conversations.add(a_chat(owner_id=987654))
        assert await uow.conversations.get("chat-1") is None


async def test_changing_a_returned_chat_does_not_change_the_stored_one(uow_factory: UnitOfWorkFactory) -> None:
    chat = a_chat()
    async with uow_factory() as uow:
        await uow.conversations.add(chat)
        chat.title = "changed after add"
        fetched = await uow.conversations.get("chat-1")
        assert fetched is not None
        fetched.message_count = 99
        (listed,) = (await uow.conversations.list(owner_id=None, skip=0, limit=1)).items
        listed.title = "changed after list"
        assert await uow.conversations.get("chat-1") == a_chat()


async def test_list_by_owner_or_all_is_newest_updated_first_and_pages_with_the_total(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ana = await add_user(uow_factory, "ana@example.com")
    bea = await add_user(uow_factory, "bea@example.com")
    await add_chats(
        uow_factory,
        a_chat("a-old", ana, updated=10),
        a_chat("b-mid", bea, updated=20),
        a_chat("a-new", ana, updated=30),
        a_chat("anon", None, updated=25),
        a_chat("a-tie", ana, updated=10),
    )
    async with uow_factory() as uow:
        everything = await uow.conversations.list(owner_id=None, skip=0, limit=10)
        anas = await uow.conversations.list(owner_id=ana, skip=0, limit=10)
        anas_page = await uow.conversations.list(owner_id=ana, skip=1, limit=1)
        all_page = await uow.conversations.list(owner_id=None, skip=3, limit=10)
        nobody = await uow.conversations.list(owner_id=987654, skip=0, limit=10)
    # equal updated_at: the greater id first
    assert [c.id for c in everything.items] == ["a-new", "anon", "b-mid", "a-tie", "a-old"]
    assert everything.total == 5
    assert ([c.id for c in anas.items], anas.total) == (["a-new", "a-tie", "a-old"], 3)
    assert ([c.id for c in anas_page.items], anas_page.total) == (["a-tie"], 3)
    assert ([c.id for c in all_page.items], all_page.total) == (["a-tie", "a-old"], 5)
    assert (list(nobody.items), nobody.total) == ([], 0)


async def test_list_puts_a_chat_first_once_a_newer_turn_dates_it(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("first", updated=10), a_chat("second", updated=20))
    await append_turns(turn_journal, "first", a_turn("hola", 30))
    async with uow_factory() as uow:
        page = await uow.conversations.list(owner_id=None, skip=0, limit=10)
    assert [c.id for c in page.items] == ["first", "second"]


# --- turns -----------------------------------------------------------------------------------------


async def test_turns_round_trip_with_increasing_ids_and_aware_utc_datetimes(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat())
    question = Turn(speaker=Speaker.USER, text="¿Hola?", at=datetime(2026, 3, 1, 13, 0, tzinfo=MADRID))
    answer = a_turn("Hola.", 3600, Speaker.ASSISTANT)
    await append_turns(turn_journal, "chat-1", question, answer)
    async with uow_factory() as uow:
        first, second = (await uow.conversations.turns("chat-1", skip=0, limit=10)).items
    assert first.id is not None and second.id is not None
    assert second.id > first.id
    assert (first.speaker, first.text, first.at) == (question.speaker, question.text, question.at)
    assert (second.speaker, second.text, second.at) == (answer.speaker, answer.text, answer.at)
    assert first.at.utcoffset() == timedelta(0)


async def test_recent_turns_are_the_last_ones_oldest_first_with_ties_by_id(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("chat-1"), a_chat("other"))
    # appended out of time order; "t2a" and "t2b" share a time, so the id decides
    await append_turns(
        turn_journal,
        "chat-1",
        a_turn("t3", 3),
        a_turn("t1", 1),
        a_turn("t2a", 2),
        a_turn("t2b", 2),
        a_turn("t4", 4),
    )
    await append_turns(turn_journal, "other", a_turn("elsewhere", 10))
    async with uow_factory() as uow:
        last_three = await uow.conversations.recent_turns("chat-1", limit=3)
        everything = await uow.conversations.recent_turns("chat-1", limit=100)
        none = await uow.conversations.recent_turns("chat-1", limit=0)
        unknown = await uow.conversations.recent_turns("nope", limit=3)
    assert [t.text for t in last_three] == ["t2b", "t3", "t4"]
    assert [t.text for t in everything] == ["t1", "t2a", "t2b", "t3", "t4"]
    assert len({t.id for t in everything}) == 5
    assert (none, unknown) == ([], [])


async def test_turns_page_oldest_first_with_the_total(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("chat-1"), a_chat("other"))
    await append_turns(turn_journal, "chat-1", *(a_turn(f"t{i}", 10 - i) for i in range(5)))
    await append_turns(turn_journal, "other", a_turn("elsewhere", 0))
    async with uow_factory() as uow:
        first = await uow.conversations.turns("chat-1", skip=0, limit=2)
        middle = await uow.conversations.turns("chat-1", skip=2, limit=2)
        beyond = await uow.conversations.turns("chat-1", skip=10, limit=2)
        unknown = await uow.conversations.turns("nope", skip=0, limit=2)
    assert ([t.text for t in first.items], first.total) == (["t4", "t3"], 5)
    assert ([t.text for t in middle.items], middle.total) == (["t2", "t1"], 5)
    assert (list(beyond.items), beyond.total) == ([], 5)
    assert (list(unknown.items), unknown.total) == ([], 0)


async def test_a_60_kib_unicode_turn_round_trips_exactly(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    text = (UNICODE_TEXT * (60 * 1024 // len(UNICODE_TEXT) + 1))[: 60 * 1024]
    assert len(text.encode("utf-8")) > 65535, "more than a MySQL TEXT column holds"
    await add_chats(uow_factory, a_chat())
    turn = a_turn(text, speaker=Speaker.ASSISTANT)
    await append_turns(turn_journal, "chat-1", turn)
    async with uow_factory() as uow:
        (stored,) = await uow.conversations.recent_turns("chat-1", limit=1)
    assert (stored.speaker, stored.at) == (turn.speaker, turn.at)
    assert stored.text == text


# --- deleting --------------------------------------------------------------------------------------


async def test_delete_removes_the_chat_and_its_turns_and_is_false_the_second_time(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat("chat-1"), a_chat("other"))
    await append_turns(turn_journal, "chat-1", a_turn("uno", 1), a_turn("dos", 2))
    await append_turns(turn_journal, "other", a_turn("tres", 3))
    async with uow_factory() as uow:
        assert await uow.conversations.delete("chat-1") is True
        assert await uow.conversations.delete("chat-1") is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.conversations.get("chat-1") is None
        assert await uow.conversations.recent_turns("chat-1", limit=10) == []
        assert (await uow.conversations.turns("chat-1", skip=0, limit=10)).total == 0
        assert [t.text for t in await uow.conversations.recent_turns("other", limit=10)] == ["tres"]


async def test_a_deleted_chat_id_can_be_used_again_without_its_old_turns(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    await add_chats(uow_factory, a_chat())
    await append_turns(turn_journal, "chat-1", a_turn("old"))
    async with uow_factory() as uow:
        await uow.conversations.delete("chat-1")
        await uow.conversations.add(a_chat())
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.conversations.recent_turns("chat-1", limit=10) == []


async def test_deleting_a_user_deletes_their_chats_and_turns_but_not_the_others(
    uow_factory: UnitOfWorkFactory, turn_journal: TurnJournal,
) -> None:
    ana = await add_user(uow_factory, "ana@example.com")
    bea = await add_user(uow_factory, "bea@example.com")
    await add_chats(uow_factory, a_chat("ana-1", ana), a_chat("ana-2", ana), a_chat("bea-1", bea), a_chat("anon"))
    for chat_id in ["ana-1", "ana-2", "bea-1", "anon"]:
        await append_turns(turn_journal, chat_id, a_turn(f"hola from {chat_id}"))
    async with uow_factory() as uow:
        assert await uow.users.delete(ana)
        await uow.commit()
    async with uow_factory() as uow:
        remaining = await uow.conversations.list(owner_id=None, skip=0, limit=10)
        anas = await uow.conversations.list(owner_id=ana, skip=0, limit=10)
        ana_turns = await uow.conversations.turns("ana-1", skip=0, limit=10)
        bea_turns = await uow.conversations.recent_turns("bea-1", limit=10)
    assert sorted(c.id for c in remaining.items) == ["anon", "bea-1"]
    assert (list(anas.items), anas.total) == ([], 0)
    assert ana_turns.total == 0
    assert [t.text for t in bea_turns] == ["hola from bea-1"]


# --- transactions ----------------------------------------------------------------------------------


async def test_nothing_is_stored_without_commit(uow_factory: UnitOfWorkFactory) -> None:
    await add_chats(uow_factory, a_chat("kept"))
    async with uow_factory() as uow:
        await uow.conversations.add(a_chat("chat-1"))
        assert await uow.conversations.delete("kept")
    async with uow_factory() as uow:
        assert await uow.conversations.get("chat-1") is None
        assert await uow.conversations.get("kept") == a_chat("kept")


async def test_rollback_discards_chats_added_since_the_last_commit(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.conversations.add(a_chat("kept", updated=1))
        await uow.commit()
        await uow.conversations.add(a_chat("discarded", updated=2))
        await uow.rollback()
        await uow.conversations.add(a_chat("also-kept", updated=3))
        await uow.commit()
    async with uow_factory() as uow:
        page = await uow.conversations.list(owner_id=None, skip=0, limit=10)
    assert [c.id for c in page.items] == ["also-kept", "kept"]

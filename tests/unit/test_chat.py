"""The chat's use cases on in-memory fakes: what is stored, what the model sees, who may read."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.application.chat.conversation import EMPTY_ANSWER_TRIES, ChatPolicy, ChatThread, Converse
from ova.application.chat.history import ChatHistory, DeleteChat, ListChats
from ova.domain.chat import Speaker, Turn, stable_window, title_from, within_budget
from ova.domain.errors import EmptyAnswer, Forbidden, NotFound
from ova.domain.users import Role, User
from tests.fakes.clock import FakeClock, SequentialIds
from tests.fakes.repositories import InMemoryUnitOfWorkFactory


class Chat:
    def __init__(self, *, context_turns: int = 12, context_chars: int = 6000) -> None:
        self.clock = FakeClock()
        self.uow = InMemoryUnitOfWorkFactory()
        self.model = FakeChatModel()
        policy = ChatPolicy("Eres OVA.", context_turns, context_chars)
        self.converse = Converse(self.uow, self.uow.journal(), self.model, self.clock, SequentialIds("chat"), policy)
        self.list_chats = ListChats(self.uow)
        self.history = ChatHistory(self.uow)
        self.delete = DeleteChat(self.uow)
        self.threads: dict[str, ChatThread] = {}

    async def user(self, name: str, role: Role = Role.USER) -> User:
        async with self.uow() as uow:
            user = await uow.users.add(User(name, f"{name}@example.org", role, True, self.clock.now(), "h"))
            await uow.commit()
        return user

    def thread(self, chat_id: str) -> ChatThread:
        """The chat as this test's one connection to it sees it (a new connection: ``converse.thread``)."""
        return self.threads.setdefault(chat_id, self.converse.thread(chat_id))

    async def say(self, chat_id: str, text: str, user: User | None = None, *, thread: ChatThread | None = None) -> str:
        pending = await self.converse.begin(thread or self.thread(chat_id), text, user=user)
        answer = "".join([piece async for piece in self.converse.stream(pending)])
        self.clock.advance(1)
        return (await self.converse.finish(pending, answer)).text


@pytest.fixture
def chat() -> Chat:
    return Chat()


async def test_both_sides_of_an_exchange_are_stored_in_order(chat: Chat) -> None:
    answer = await chat.say("c1", "Hola")
    async with chat.uow(read_only=True) as uow:
        turns = await uow.conversations.recent_turns("c1", limit=10)
        conversation = await uow.conversations.get("c1")
    assert answer == "Respuesta a: Hola"
    assert [(t.speaker, t.text) for t in turns] == [(Speaker.USER, "Hola"), (Speaker.ASSISTANT, answer)]
    assert conversation is not None and conversation.message_count == 2 and conversation.title == "Hola"


async def test_the_model_sees_the_system_prompt_and_the_earlier_turns(chat: Chat) -> None:
    await chat.say("c1", "Me llamo Ana")
    await chat.say("c1", "¿Cómo me llamo?")
    prompt = chat.model.prompts[-1]
    assert prompt.system == "Eres OVA."
    assert prompt.message == "¿Cómo me llamo?"
    assert [t.text for t in prompt.history] == ["Me llamo Ana", "Respuesta a: Me llamo Ana"]


async def test_the_context_keeps_only_the_most_recent_turns_within_the_budget() -> None:
    chat = Chat(context_turns=2)
    for word in ("uno", "dos", "tres"):
        await chat.say("c1", word)
    assert [t.text for t in chat.model.prompts[-1].history] == ["dos", "Respuesta a: dos"]


async def test_a_new_chat_has_no_history(chat: Chat) -> None:
    await chat.say("c1", "en otro chat")
    await chat.say("c2", "primero")
    assert chat.model.prompts[-1].history == []


async def test_the_users_message_is_kept_even_when_no_answer_is_finished(chat: Chat) -> None:
    await chat.converse.begin(chat.thread("c1"), "¿Sigue ahí?", user=None)
    async with chat.uow(read_only=True) as uow:
        assert [t.text for t in await uow.conversations.recent_turns("c1", limit=10)] == ["¿Sigue ahí?"]


async def test_an_answer_without_a_word_is_asked_again_then_an_error_and_never_stored(chat: Chat) -> None:
    with pytest.raises(EmptyAnswer):
        await chat.say("c1", "!empty")

    assert len(chat.model.prompts) == EMPTY_ANSWER_TRIES
    async with chat.uow(read_only=True) as uow:
        assert [(t.speaker, t.text) for t in await uow.conversations.recent_turns("c1", limit=10)] == [
            (Speaker.USER, "!empty")]


async def test_a_blank_answer_before_a_real_one_is_not_shown(chat: Chat) -> None:
    """The engine answered blanks twice (nothing was shown yet), then words: only the words count."""
    assert await chat.say("c1", "!flaky 2") == "Respuesta a: !flaky 2"
    assert len(chat.model.prompts) == 3


async def test_an_answer_to_a_chat_deleted_meanwhile_is_not_stored(chat: Chat) -> None:
    owner = await chat.user("ana")
    pending = await chat.converse.begin(chat.thread("c1"), "Hola", user=owner)
    await chat.delete(owner, "c1")
    turn = await chat.converse.finish(pending, "tarde")
    assert turn.id is None
    async with chat.uow(read_only=True) as uow:
        assert await uow.conversations.get("c1") is None


async def test_an_anonymous_chat_is_claimed_by_the_first_user_who_writes_in_it(chat: Chat) -> None:
    await chat.say("c1", "anónimo")
    ana = await chat.user("ana")
    await chat.say("c1", "ya soy Ana", user=ana)
    page = await chat.list_chats(ana, skip=0, limit=10)
    assert [c.id for c in page.items] == ["c1"]


async def test_nobody_else_may_continue_a_users_chat(chat: Chat) -> None:
    ana, luis = await chat.user("ana"), await chat.user("luis")
    await chat.say("c1", "privado", user=ana)
    with pytest.raises(Forbidden):
        await chat.converse.begin(chat.thread("c1"), "intruso", user=luis)
    with pytest.raises(Forbidden):
        await chat.converse.begin(chat.thread("c1"), "anónimo", user=None)
    async with chat.uow(read_only=True) as uow:
        assert [t.text for t in await uow.conversations.recent_turns("c1", limit=10)] == [
            "privado", "Respuesta a: privado",
        ]


async def test_a_connection_reads_its_chat_once_and_then_keeps_its_own_turns(chat: Chat) -> None:
    await chat.say("c1", "uno")
    # a turn slipped into the stored chat behind the connection's back, without counting it
    chat.uow.data.turns["c1"].append(Turn(Speaker.USER, "oculto", chat.clock.now(), id=10_000))
    await chat.say("c1", "dos")
    assert [t.text for t in chat.model.prompts[-1].history] == ["uno", "Respuesta a: uno"]


async def test_a_reconnection_reads_the_chat_again(chat: Chat) -> None:
    await chat.say("c1", "uno")
    await chat.say("c1", "dos", thread=chat.converse.thread("c1"))
    assert [t.text for t in chat.model.prompts[-1].history] == ["uno", "Respuesta a: uno"]


async def test_a_connection_sees_what_another_one_wrote_in_the_same_chat(chat: Chat) -> None:
    first, second = chat.converse.thread("c1"), chat.converse.thread("c1")
    await chat.say("c1", "uno", thread=first)
    await chat.say("c1", "dos", thread=second)
    await chat.say("c1", "tres", thread=first)
    assert [t.text for t in chat.model.prompts[-1].history] == [
        "uno", "Respuesta a: uno", "dos", "Respuesta a: dos",
    ]
    await chat.say("c1", "cuatro", thread=second)
    assert [t.text for t in chat.model.prompts[-1].history][-2:] == ["tres", "Respuesta a: tres"]
    async with chat.uow(read_only=True) as uow:
        conversation = await uow.conversations.get("c1")
    assert conversation is not None and conversation.message_count == 8


async def test_a_chat_deleted_while_a_connection_is_open_starts_again_empty(chat: Chat) -> None:
    ana = await chat.user("ana")
    await chat.say("c1", "uno", user=ana)
    await chat.delete(ana, "c1")
    await chat.say("c1", "otra vez", user=ana)
    assert chat.model.prompts[-1].history == []
    async with chat.uow(read_only=True) as uow:
        turns = await uow.conversations.recent_turns("c1", limit=10)
        conversation = await uow.conversations.get("c1")
    assert [t.text for t in turns] == ["otra vez", "Respuesta a: otra vez"]
    assert conversation is not None and conversation.owner_id == ana.id and conversation.title == "otra vez"


async def test_a_new_chat_is_stored_with_its_first_turn_and_its_writer_as_owner(chat: Chat) -> None:
    ana = await chat.user("ana")
    thread = chat.converse.new_thread()
    assert thread.chat_id.startswith("chat")
    async with chat.uow(read_only=True) as uow:
        assert await uow.conversations.get(thread.chat_id) is None
    await chat.say(thread.chat_id, "Hola, soy Ana", user=ana, thread=thread)
    await chat.say(thread.chat_id, "¿Y tú?", user=ana, thread=thread)
    assert [t.text for t in chat.model.prompts[-1].history] == ["Hola, soy Ana", "Respuesta a: Hola, soy Ana"]
    async with chat.uow(read_only=True) as uow:
        conversation = await uow.conversations.get(thread.chat_id)
    assert conversation is not None
    assert (conversation.owner_id, conversation.title, conversation.message_count) == (ana.id, "Hola, soy Ana", 4)


async def test_users_list_their_own_chats_and_admins_list_all(chat: Chat) -> None:
    ana, luis = await chat.user("ana"), await chat.user("luis")
    admin = await chat.user("root", Role.ADMIN)
    await chat.say("a", "de Ana", user=ana)
    await chat.say("l", "de Luis", user=luis)
    await chat.say("x", "de nadie")
    assert [c.id for c in (await chat.list_chats(ana, skip=0, limit=10)).items] == ["a"]
    everything = await chat.list_chats(admin, skip=0, limit=10)
    assert everything.total == 3 and [c.id for c in everything.items] == ["x", "l", "a"]


async def test_someone_elses_chat_reads_as_missing_but_admins_see_it(chat: Chat) -> None:
    ana, luis = await chat.user("ana"), await chat.user("luis")
    admin = await chat.user("root", Role.ADMIN)
    await chat.say("a", "de Ana", user=ana)
    with pytest.raises(NotFound):
        await chat.history(luis, "a", skip=0, limit=10)
    with pytest.raises(NotFound):
        await chat.delete(luis, "a")
    assert (await chat.history(admin, "a", skip=0, limit=10)).total == 2
    page = await chat.history(ana, "a", skip=1, limit=10)
    assert [t.text for t in page.items] == ["Respuesta a: de Ana"] and page.total == 2


async def test_deleting_a_chat_removes_it_for_good(chat: Chat) -> None:
    ana = await chat.user("ana")
    await chat.say("a", "borrar", user=ana)
    await chat.delete(ana, "a")
    with pytest.raises(NotFound):
        await chat.history(ana, "a", skip=0, limit=10)
    with pytest.raises(NotFound):
        await chat.delete(ana, "a")


def _turn(text: str) -> Turn:
    return Turn(Speaker.USER, text, datetime(2026, 1, 1, tzinfo=UTC))


def test_the_budget_keeps_the_newest_turns_that_fit() -> None:
    turns = [_turn("a" * 10), _turn("b" * 10), _turn("c" * 10)]
    assert [t.text[0] for t in within_budget(turns, max_turns=5, max_chars=25)] == ["b", "c"]
    assert [t.text[0] for t in within_budget(turns, max_turns=1, max_chars=100)] == ["c"]
    assert within_budget(turns, max_turns=0, max_chars=100) == []
    assert within_budget(turns, max_turns=5, max_chars=5) == []


def test_a_title_is_the_first_line_of_words_shortened() -> None:
    assert title_from("  Hola\n  mundo ") == "Hola mundo"
    long = title_from("palabra " * 40)
    assert len(long) == 80 and long.endswith("…")


def test_old_turns_leave_the_window_in_blocks_so_its_start_stays_put() -> None:
    turns = [_turn(str(index)) for index in range(30)]
    starts = []
    for total in range(2, 31, 2):  # the history before each message of a growing conversation
        window = stable_window(turns[:total][-12:], first_index=max(0, total - 12), max_turns=12, max_chars=1000)
        assert 0 < len(window) <= 12 and window == turns[total - len(window):total]
        starts.append(int(window[0].text))
    assert starts == [0] * 6 + [6] * 3 + [12] * 3 + [18] * 3
    assert stable_window(turns[:4], first_index=0, max_turns=0, max_chars=1000) == []


def test_the_character_budget_also_moves_the_window_by_whole_blocks() -> None:
    turns = [_turn(f"{index:02d}" + "x" * 8) for index in range(24)]  # 10 characters each
    starts = []
    for total in range(14, 25, 2):
        window = stable_window(turns[:total][-12:], first_index=total - 12, max_turns=12, max_chars=75)
        assert sum(len(turn.text) for turn in window) <= 75
        starts.append(int(window[0].text[:2]))
    assert starts == [12, 12, 12, 18, 18, 18]  # 6-turn blocks: the start stays put between jumps


async def test_consecutive_prompts_of_a_long_chat_mostly_share_their_beginning() -> None:
    chat = Chat(context_turns=6)
    for index in range(12):
        await chat.say("c1", f"mensaje {index}")
    histories = [[t.text for t in prompt.history] for prompt in chat.model.prompts]
    pairs = list(pairwise(histories))
    kept = sum(later[:len(earlier)] == earlier for earlier, later in pairs)
    assert kept > len(pairs) // 2  # a window sliding one exchange a message keeps none once it is full (3 here)
    assert all(len(history) <= 6 for history in histories)

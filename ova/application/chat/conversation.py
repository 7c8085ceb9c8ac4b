"""Talking with the assistant: a message goes into its conversation, the model answers with the
recent turns as context, and the answer is stored next to it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from datetime import datetime
from itertools import takewhile

from attrs import Factory, define, field, frozen

from ova.application.ports.chat import ChatModel, ChatPrompt
from ova.application.ports.clock import Clock, IdGenerator
from ova.application.ports.repositories import TurnJournal
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.chat import Conversation, Speaker, Turn, stable_window, title_from
from ova.domain.errors import EmptyAnswer, NotFound
from ova.domain.language import Language, choose_language
from ova.domain.language_guess import guess_language
from ova.domain.users import User

EMPTY_ANSWER_TRIES = 3
"""How many times the model is asked before an answer without a word becomes ``EmptyAnswer``."""


@frozen
class ChatPolicy:
    """Who the assistant is and how much of the conversation it sees. ``system_prompts`` gives a
    language its own prompt (which tells the model to answer in it); a language without one gets
    ``system_prompt``. ``default_language`` is a conversation's when nothing else tells."""

    system_prompt: str
    context_turns: int = 12
    context_chars: int = 6000
    system_prompts: Mapping[Language, str] = field(factory=dict)
    default_language: Language = Language.ES

    def prompt_for(self, language: Language) -> str:
        return self.system_prompts.get(language, self.system_prompt)


@define
class ChatThread:
    """One connection's view of a chat: the conversation and its recent turns, read on the first
    message and then kept up to date with the connection's own turns. When the count a commit gives
    back shows that someone else wrote in the chat meanwhile (another connection), or the chat was
    deleted, the thread forgets what it held and reads the chat again: at once when the user's message
    revealed it (before its prompt is built), at the next message when the answer did.

    ``asked`` is the language the connection named (``?lang=``), ``preferred`` the one its
    ``Accept-Language`` header gives; ``language`` is the conversation's as far as known now."""

    chat_id: str
    conversation: Conversation | None = None
    recent: list[Turn] = Factory(list)
    is_new: bool = False  # an id the service just made: nothing to read, created with its first turn
    asked: Language | None = None
    preferred: Language | None = None

    @property
    def language(self) -> Language | None:
        """The conversation's language: the one the connection asked for, else the one the chat is
        held in (once read, at the first message), else the connection's ``Accept-Language``;
        ``None`` until the first message when none of these tells (it is then guessed from it)."""
        stored = self.conversation.language if self.conversation is not None else None
        return self.asked or stored or self.preferred

    def forget(self) -> None:
        self.conversation, self.recent = None, []

    def stored(self, turn: Turn, *, count: int, keep: int) -> None:
        """``turn`` is committed and the chat now holds ``count`` turns: keep the last ``keep`` turns,
        or forget everything if the count shows turns this thread has not seen."""
        if self.conversation is None:
            return
        self.conversation.record(turn)
        self.recent.append(turn)
        del self.recent[: max(0, len(self.recent) - keep)]
        if count != self.conversation.message_count:
            self.forget()


@frozen
class PendingReply:
    """A user message stored in its conversation, and the prompt the model answers."""

    thread: ChatThread
    question: Turn
    prompt: ChatPrompt

    @property
    def chat_id(self) -> str:
        return self.thread.chat_id


@frozen
class Converse:
    """``begin`` stores the user's message (so it is never lost, whatever happens to the answer),
    ``stream`` asks the model, ``finish`` stores the answer. A cancelled answer stores nothing.

    Turns go through the ``TurnJournal`` (one commit shared by the messages of many connections on a
    busy server); the chat itself is read once per connection, into its ``ChatThread``."""

    uow: UnitOfWorkFactory
    journal: TurnJournal
    model: ChatModel
    clock: Clock
    ids: IdGenerator
    policy: ChatPolicy

    def new_chat_id(self) -> str:
        return self.ids.new_id()

    def thread(self, chat_id: str, *, asked: Language | None = None, preferred: Language | None = None) -> ChatThread:
        """A chat the client named: it may exist already (read at the first message) or not."""
        return ChatThread(chat_id, asked=asked, preferred=preferred)

    def new_thread(self, *, asked: Language | None = None, preferred: Language | None = None) -> ChatThread:
        """A new chat under an id made now: stored together with its first turn, read from nowhere."""
        return ChatThread(self.new_chat_id(), is_new=True, asked=asked, preferred=preferred)

    def language_of(self, thread: ChatThread) -> Language:
        """The conversation's language as known now, else the default (for what is said before the
        first message decides it)."""
        return thread.language or self.policy.default_language

    async def expected_language(self, thread: ChatThread, named: Language | None = None) -> Language:
        """The language to expect a message in before its words are known (a voice note to
        transcribe): ``?lang=``, else ``named`` (the frame's), else the chat's own (the chat is read
        if this connection has not yet), else ``Accept-Language``, else the default. No guess: there
        are no words yet."""
        if thread.asked is not None or named is not None:
            return thread.asked or named or self.policy.default_language
        conversation = await self._loaded(thread, self.clock.now())
        return conversation.language or thread.preferred or self.policy.default_language

    async def begin(self, thread: ChatThread, text: str, *, user: User | None,
                    language: Language | None = None) -> PendingReply:
        """``language`` is the one the message itself names (a frame's ``language``); the connection's
        ``?lang=`` wins over it."""
        question = Turn(Speaker.USER, text, self.clock.now())
        conversation = await self._loaded(thread, question.at)
        conversation.admit(user.id if user else None)
        context = self._context(thread.recent, first_index=conversation.message_count - len(thread.recent))
        spoken = self._choose(thread, conversation, text, language)
        try:
            await self._record(thread, conversation, question, spoken)
        except NotFound:  # deleted since this connection read it: the chat starts again, empty
            thread.forget()
            conversation = await self._loaded(thread, question.at)
            conversation.admit(user.id if user else None)
            context = []
            spoken = self._choose(thread, conversation, text, language)
            await self._record(thread, conversation, question, spoken)
        if thread.conversation is None:  # someone else wrote in this chat meanwhile: what it holds now
            reread = await self._loaded(thread, question.at)
            context = self._context(list(takewhile(lambda turn: not _same(turn, question), thread.recent)),
                                    first_index=reread.message_count - len(thread.recent))
        prompt = ChatPrompt(self.policy.prompt_for(spoken), context, text, language=spoken)
        return PendingReply(thread, question, prompt)

    async def stream(self, pending: PendingReply) -> AsyncGenerator[str, None]:
        """The model's answer, piece by piece. An answer that ends before its first word is asked for
        again (nothing has been shown yet), up to ``EMPTY_ANSWER_TRIES`` times, then ``EmptyAnswer``:
        an empty answer is a failure to report, never a reply to store. Blank pieces before the first
        word are dropped."""
        for _ in range(EMPTY_ANSWER_TRIES):
            started = False
            async with aclosing(self.model.stream(pending.prompt)) as pieces:
                async for piece in pieces:
                    if started or piece.strip():
                        started = True
                        yield piece
            if started:
                return
        raise EmptyAnswer()

    async def finish(self, pending: PendingReply, answer: str) -> Turn:
        """Store the answer (``answer`` is what was shown; an answer cut off by a shutdown may carry
        only its mark)."""
        thread = pending.thread
        turn = Turn(Speaker.ASSISTANT, answer.strip(), self.clock.now())
        try:
            count = await self.journal.append(thread.chat_id, turn, owner_id=None, title="")
        except NotFound:  # deleted while the model was answering: nothing to add it to
            thread.forget()
            return turn
        thread.stored(turn, count=count, keep=self.policy.context_turns)
        return turn

    def _choose(self, thread: ChatThread, conversation: Conversation, text: str,
                language: Language | None) -> Language:
        """The message's language: see ``choose_language`` (the guess is made only when needed)."""
        asked, stored, preferred = thread.asked or language, conversation.language, thread.preferred
        guessed = guess_language(text) if asked is None and stored is None and preferred is None else None
        return choose_language(asked=asked, stored=stored, preferred=preferred, guessed=guessed,
                               default=self.policy.default_language)

    async def _record(self, thread: ChatThread, conversation: Conversation, turn: Turn, language: Language) -> None:
        """Store the user's ``turn``; the chat is held in ``language`` from now on (written only when
        that changes it)."""
        changed = language if language is not conversation.language else None
        count = await self.journal.append(thread.chat_id, turn, owner_id=conversation.owner_id,
                                          title=title_from(turn.text),
                                          created_at=conversation.created_at if thread.is_new else None,
                                          language=changed)
        conversation.language = language
        thread.is_new = False
        thread.stored(turn, count=count, keep=self.policy.context_turns)

    def _context(self, turns: list[Turn], *, first_index: int) -> list[Turn]:
        """The earlier turns the model sees (``turns[0]`` is the conversation's turn ``first_index``):
        a window whose start stays put for several exchanges, so the model reuses its cached prompt
        prefix, within the character budget."""
        return stable_window(turns, first_index=max(0, first_index), max_turns=self.policy.context_turns,
                             max_chars=self.policy.context_chars)

    async def _loaded(self, thread: ChatThread, now: datetime) -> Conversation:
        if thread.conversation is not None:
            return thread.conversation
        if thread.is_new:
            thread.conversation, thread.recent = Conversation(id=thread.chat_id, created_at=now, updated_at=now), []
            return thread.conversation
        async with self.uow(read_only=True) as uow:
            conversation = await uow.conversations.get(thread.chat_id)
            history = await uow.conversations.recent_turns(thread.chat_id, limit=self.policy.context_turns)
        if conversation is None:
            conversation = await self._create(thread.chat_id, now)
        thread.conversation, thread.recent = conversation, history
        return conversation

    async def _create(self, chat_id: str, now: datetime) -> Conversation:
        conversation = Conversation(id=chat_id, created_at=now, updated_at=now)
        async with self.uow() as uow:
            try:
                await uow.conversations.add(conversation)
            except ValueError:  # another connection created it a moment ago
                found = await uow.conversations.get(chat_id)
                assert found is not None
                return found
            await uow.commit()
        return conversation


def _same(stored: Turn, turn: Turn) -> bool:
    return stored.speaker is turn.speaker and stored.at == turn.at and stored.text == turn.text

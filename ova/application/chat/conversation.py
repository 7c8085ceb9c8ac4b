"""Talking with the assistant: a message goes into its conversation, the model answers with the
recent turns as context, and the answer is stored next to it."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

from attrs import frozen

from ova.application.ports.chat import ChatModel, ChatPrompt
from ova.application.ports.clock import Clock, IdGenerator
from ova.application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ova.domain.chat import Conversation, Speaker, Turn, within_budget
from ova.domain.users import User

NO_ANSWER = "Lo siento, no he podido generar una respuesta. ¿Puedes repetirlo con otras palabras?"


@frozen
class ChatPolicy:
    """Who the assistant is and how much of the conversation it sees."""

    system_prompt: str
    context_turns: int = 12
    context_chars: int = 6000


@frozen
class PendingReply:
    """A user message stored in its conversation, and the prompt the model answers."""

    chat_id: str
    question: Turn
    prompt: ChatPrompt


@frozen
class Converse:
    """``begin`` stores the user's message (so it is never lost, whatever happens to the answer),
    ``stream`` asks the model, ``finish`` stores the answer. A cancelled answer stores nothing."""

    uow: UnitOfWorkFactory
    model: ChatModel
    clock: Clock
    ids: IdGenerator
    policy: ChatPolicy

    def new_chat_id(self) -> str:
        return self.ids.new_id()

    async def begin(self, chat_id: str, text: str, *, user: User | None) -> PendingReply:
        now = self.clock.now()
        async with self.uow() as uow:
            conversation = await self._existing_or_new(uow, chat_id, now)
            conversation.admit(user.id if user else None)
            history = await uow.conversations.recent_turns(chat_id, limit=self.policy.context_turns)
            question = await uow.conversations.append(chat_id, Turn(Speaker.USER, text, now))
            conversation.record(question)
            await uow.conversations.update(conversation)
            await uow.commit()
        context = within_budget(history, max_turns=self.policy.context_turns, max_chars=self.policy.context_chars)
        return PendingReply(chat_id, question, ChatPrompt(self.policy.system_prompt, context, text))

    @staticmethod
    async def _existing_or_new(uow: UnitOfWork, chat_id: str, now: datetime) -> Conversation:
        conversation = await uow.conversations.get(chat_id)
        if conversation is not None:
            return conversation
        conversation = Conversation(id=chat_id, created_at=now, updated_at=now)
        try:
            await uow.conversations.add(conversation)
        except ValueError:  # another connection created it a moment ago
            found = await uow.conversations.get(chat_id)
            assert found is not None
            return found
        return conversation

    def stream(self, pending: PendingReply) -> AsyncGenerator[str, None]:
        return self.model.stream(pending.prompt)

    async def finish(self, pending: PendingReply, answer: str) -> Turn:
        text = answer.strip() or NO_ANSWER
        async with self.uow() as uow:
            conversation = await uow.conversations.get(pending.chat_id)
            if conversation is None:  # deleted while the model was answering: nothing to add it to
                return Turn(Speaker.ASSISTANT, text, self.clock.now())
            turn = await uow.conversations.append(pending.chat_id, Turn(Speaker.ASSISTANT, text, self.clock.now()))
            conversation.record(turn)
            await uow.conversations.update(conversation)
            await uow.commit()
        return turn

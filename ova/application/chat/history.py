"""Reading and deleting stored chats over HTTP: owners see their own, admins see every chat."""

from __future__ import annotations

from attrs import frozen

from ova.application.ports.repositories import ConversationRepository, Page
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.chat import Conversation, Turn
from ova.domain.errors import NotFound
from ova.domain.users import User


async def _visible(conversations: ConversationRepository, chat_id: str, actor: User) -> Conversation:
    """The chat, if this actor may see it. Someone else's chat is reported as missing, so that a
    chat id reveals nothing to those who do not own it."""
    conversation = await conversations.get(chat_id)
    if conversation is None or (conversation.owner_id != actor.id and not actor.is_admin):
        raise NotFound("Conversación no encontrada.")
    return conversation


@frozen
class ListChats:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, *, skip: int, limit: int) -> Page[Conversation]:
        async with self.uow(read_only=True) as uow:
            owner = None if actor.is_admin else actor.id
            return await uow.conversations.list(owner_id=owner, skip=skip, limit=limit)


@frozen
class ChatHistory:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, chat_id: str, *, skip: int, limit: int) -> Page[Turn]:
        async with self.uow(read_only=True) as uow:
            await _visible(uow.conversations, chat_id, actor)
            return await uow.conversations.turns(chat_id, skip=skip, limit=limit)


@frozen
class DeleteChat:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, chat_id: str) -> None:
        async with self.uow() as uow:
            await _visible(uow.conversations, chat_id, actor)
            await uow.conversations.delete(chat_id)
            await uow.commit()

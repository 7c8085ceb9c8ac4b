from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ova.adapters.sqlalchemy.tables import chat_turns as turns
from ova.adapters.sqlalchemy.tables import conversations
from ova.application.ports.repositories import Page
from ova.domain.chat import Conversation, Speaker, Turn
from ova.domain.language import Language

CHAT_NOT_FOUND = "Conversación no encontrada."

# The statements of every chat message, built once: building one and computing its cache key costs
# about as much again as running it through the async driver.
_GET_CHAT = select(conversations).where(conversations.c.id == bindparam("chat_id"))
_RECENT_TURNS = (
    select(turns)
    .where(turns.c.chat_id == bindparam("chat_id"))
    .order_by(turns.c.created_at.desc(), turns.c.id.desc())
    .limit(bindparam("limit"))
)


def _to_conversation(row: Row[Any]) -> Conversation:
    return Conversation(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner_id=row.owner_id,
        title=row.title,
        message_count=row.message_count,
        language=stored_language(row.language),
    )


def stored_language(value: str | None) -> Language | None:
    """A stored language, or ``None`` for none (a chat from before languages) or one no longer spoken."""
    try:
        return Language(value) if value else None
    except ValueError:
        return None


def _to_turn(row: Row[Any]) -> Turn:
    return Turn(speaker=Speaker(row.speaker), text=row.text, at=row.created_at, id=row.id)


def _values(conversation: Conversation) -> dict[str, Any]:
    return {
        "owner_id": conversation.owner_id,
        "title": conversation.title,
        "message_count": conversation.message_count,
        "updated_at": conversation.updated_at,
        "language": conversation.language.value if conversation.language else None,
    }


def _is_missing_reference(error: IntegrityError) -> bool:
    """SQLite: "FOREIGN KEY constraint failed"; MySQL: "... a foreign key constraint fails"."""
    return "foreign key" in str(error.orig).lower()


def _is_duplicate(error: IntegrityError) -> bool:
    message = str(error.orig).lower()
    return "unique" in message or "duplicate" in message


class SqlConversationRepository:
    """Turns are deleted with their chat (explicitly, and by ``ON DELETE CASCADE``), chats with
    their owner (``ON DELETE CASCADE``; SQLite connections enable foreign keys in ``engine``)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, conversation: Conversation) -> None:
        # No savepoint: a statement that fails a constraint is undone by the database itself (SQLite and
        # InnoDB roll back just the statement), so the transaction goes on as if it had not run.
        try:
            await self._conn.execute(
                insert(conversations).values(id=conversation.id, created_at=conversation.created_at,
                                             **_values(conversation))
            )
        except IntegrityError as error:
            if _is_missing_reference(error):
                raise ValueError(f"no user {conversation.owner_id} to own chat {conversation.id!r}") from None
            if _is_duplicate(error):
                raise ValueError(f"chat {conversation.id!r} already exists") from None
            raise

    async def get(self, chat_id: str) -> Conversation | None:
        row = (await self._conn.execute(_GET_CHAT, {"chat_id": chat_id})).first()
        return _to_conversation(row) if row else None

    async def recent_turns(self, chat_id: str, *, limit: int) -> list[Turn]:
        if limit <= 0:
            return []
        rows = (await self._conn.execute(_RECENT_TURNS, {"chat_id": chat_id, "limit": limit})).all()
        return [_to_turn(row) for row in reversed(rows)]

    async def turns(self, chat_id: str, *, skip: int, limit: int) -> Page[Turn]:
        rows_query = (
            select(turns)
            .where(turns.c.chat_id == chat_id)
            .order_by(turns.c.created_at, turns.c.id)
            .offset(skip)
            .limit(limit)
        )
        count_query = select(func.count()).select_from(turns).where(turns.c.chat_id == chat_id)
        rows = (await self._conn.execute(rows_query)).all()
        total = (await self._conn.execute(count_query)).scalar_one()
        return Page([_to_turn(row) for row in rows], total)

    async def list(self, *, owner_id: int | None, skip: int, limit: int) -> Page[Conversation]:
        rows_query = (
            select(conversations)
            .order_by(conversations.c.updated_at.desc(), conversations.c.id.desc())
            .offset(skip)
            .limit(limit)
        )
        count_query = select(func.count()).select_from(conversations)
        if owner_id is not None:
            rows_query = rows_query.where(conversations.c.owner_id == owner_id)
            count_query = count_query.where(conversations.c.owner_id == owner_id)
        rows = (await self._conn.execute(rows_query)).all()
        total = (await self._conn.execute(count_query)).scalar_one()
        return Page([_to_conversation(row) for row in rows], total)

    async def delete(self, chat_id: str) -> bool:
        await self._conn.execute(delete(turns).where(turns.c.chat_id == chat_id))
        result = await self._conn.execute(delete(conversations).where(conversations.c.id == chat_id))
        return result.rowcount == 1

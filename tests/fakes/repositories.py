"""In-memory repositories and a unit of work with real commit and rollback semantics."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import attrs

from ova.application.ports.repositories import (
    ContactRepository,
    ConversationRepository,
    Page,
    RefreshSessionRepository,
    UserRepository,
)
from ova.domain.chat import Conversation, Turn
from ova.domain.contact import ContactMessage
from ova.domain.errors import EmailAlreadyRegistered, NotFound
from ova.domain.language import Language
from ova.domain.tokens import RefreshSession
from ova.domain.users import Role, User


def _utc(value: datetime) -> datetime:
    """What a database gives back: the same instant in UTC. Naive datetimes are refused."""
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
    return value.astimezone(UTC)


@attrs.define
class InMemoryData:
    users: dict[int, User] = attrs.Factory(dict)
    contacts: dict[int, ContactMessage] = attrs.Factory(dict)
    sessions: dict[str, RefreshSession] = attrs.Factory(dict)
    conversations: dict[str, Conversation] = attrs.Factory(dict)
    turns: dict[str, list[Turn]] = attrs.Factory(dict)
    next_user_id: int = 1
    next_contact_id: int = 1
    next_turn_id: int = 1


class InMemoryUserRepository:
    def __init__(self, data: InMemoryData) -> None:
        self._data = data

    def _email_taken(self, email: str, except_id: int | None = None) -> bool:
        return any(u.email == email and u.id != except_id for u in self._data.users.values())

    async def add(self, user: User) -> User:
        if self._email_taken(user.email):
            raise EmailAlreadyRegistered()
        stored = attrs.evolve(user, id=self._data.next_user_id, fecha_registro=_utc(user.fecha_registro))
        self._data.next_user_id += 1
        self._data.users[stored.id] = stored  # type: ignore[index]
        return copy.copy(stored)

    async def get(self, user_id: int) -> User | None:
        user = self._data.users.get(user_id)
        return copy.copy(user) if user else None

    async def get_by_email(self, email: str) -> User | None:
        return next((copy.copy(u) for u in self._data.users.values() if u.email == email), None)

    async def list(self, *, skip: int, limit: int, query: str | None = None) -> Page[User]:
        users = sorted(self._data.users.values(), key=lambda u: u.id or 0)
        if query:
            needle = query.lower()
            users = [u for u in users if needle in u.nombre.lower() or needle in u.email.lower()]
        return Page([copy.copy(u) for u in users[skip : skip + limit]], len(users))

    async def update(self, user: User) -> User:
        if user.id not in self._data.users:
            raise NotFound("Usuario no encontrado.")
        if self._email_taken(user.email, except_id=user.id):
            raise EmailAlreadyRegistered()
        self._data.users[user.id] = attrs.evolve(user, fecha_registro=_utc(user.fecha_registro))
        return copy.copy(user)

    async def delete(self, user_id: int) -> bool:
        if self._data.users.pop(user_id, None) is None:
            return False
        for family, session in list(self._data.sessions.items()):
            if session.user_id == user_id:
                del self._data.sessions[family]
        for chat_id, conversation in list(self._data.conversations.items()):
            if conversation.owner_id == user_id:
                del self._data.conversations[chat_id]
                self._data.turns.pop(chat_id, None)
        return True

    async def count_active_admins(self) -> int:
        return sum(1 for u in self._data.users.values() if u.rol is Role.ADMIN and u.activo)


class InMemoryContactRepository:
    def __init__(self, data: InMemoryData) -> None:
        self._data = data

    async def add(self, message: ContactMessage) -> ContactMessage:
        stored = attrs.evolve(message, id=self._data.next_contact_id, fecha_envio=_utc(message.fecha_envio))
        self._data.next_contact_id += 1
        self._data.contacts[stored.id] = stored  # type: ignore[index]
        return copy.copy(stored)

    async def get(self, message_id: int) -> ContactMessage | None:
        message = self._data.contacts.get(message_id)
        return copy.copy(message) if message else None

    async def list(self, *, skip: int, limit: int, unread_only: bool = False) -> Page[ContactMessage]:
        messages = [m for m in self._data.contacts.values() if not (unread_only and m.leido)]
        messages.sort(key=lambda m: (m.fecha_envio, m.id or 0), reverse=True)
        return Page([copy.copy(m) for m in messages[skip : skip + limit]], len(messages))

    async def update(self, message: ContactMessage) -> ContactMessage:
        if message.id not in self._data.contacts:
            raise NotFound("Mensaje no encontrado.")
        self._data.contacts[message.id] = attrs.evolve(message, fecha_envio=_utc(message.fecha_envio))
        return copy.copy(message)

    async def delete(self, message_id: int) -> bool:
        return self._data.contacts.pop(message_id, None) is not None


class InMemoryRefreshSessionRepository:
    def __init__(self, data: InMemoryData) -> None:
        self._data = data

    async def add(self, session: RefreshSession) -> None:
        self._data.sessions[session.family] = attrs.evolve(session, expires_at=_utc(session.expires_at))

    async def get(self, family: str) -> RefreshSession | None:
        return self._data.sessions.get(family)

    async def rotate(self, family: str, *, expected_jti: str, new_jti: str, expires_at: datetime) -> bool:
        session = self._data.sessions.get(family)
        if session is None or session.revoked or session.current_jti != expected_jti:
            return False
        self._data.sessions[family] = attrs.evolve(session, current_jti=new_jti, expires_at=_utc(expires_at))
        return True

    async def revoke(self, family: str) -> None:
        session = self._data.sessions.get(family)
        if session is not None:
            self._data.sessions[family] = attrs.evolve(session, revoked=True)

    async def revoke_all_for_user(self, user_id: int, *, keep: str | None = None) -> list[RefreshSession]:
        ended = []
        for family, session in list(self._data.sessions.items()):
            if session.user_id == user_id and family != keep:
                self._data.sessions[family] = ended_session = attrs.evolve(session, revoked=True)
                ended.append(ended_session)
        return ended

    async def delete_expired(self, now: datetime) -> int:
        expired = [f for f, s in self._data.sessions.items() if s.expires_at <= now]
        for family in expired:
            del self._data.sessions[family]
        return len(expired)


def _turn_order(turn: Turn) -> tuple[datetime, int]:
    return (turn.at, turn.id or 0)


class InMemoryConversationRepository:
    """As the SQL one: chats go with their owner, turns with their chat; an unknown owner or chat
    is refused as a foreign key would refuse it."""

    def __init__(self, data: InMemoryData) -> None:
        self._data = data

    def _check_owner(self, conversation: Conversation) -> None:
        if conversation.owner_id is not None and conversation.owner_id not in self._data.users:
            raise ValueError(f"no user {conversation.owner_id} to own chat {conversation.id!r}")

    async def add(self, conversation: Conversation) -> None:
        if conversation.id in self._data.conversations:
            raise ValueError(f"chat {conversation.id!r} already exists")
        self._check_owner(conversation)
        self._data.conversations[conversation.id] = attrs.evolve(
            conversation,
            created_at=_utc(conversation.created_at),
            updated_at=_utc(conversation.updated_at),
        )
        self._data.turns[conversation.id] = []

    async def get(self, chat_id: str) -> Conversation | None:
        conversation = self._data.conversations.get(chat_id)
        return copy.copy(conversation) if conversation else None

    def _ordered(self, chat_id: str) -> list[Turn]:
        return sorted(self._data.turns.get(chat_id, []), key=_turn_order)

    async def recent_turns(self, chat_id: str, *, limit: int) -> list[Turn]:
        return self._ordered(chat_id)[-limit:] if limit > 0 else []

    async def turns(self, chat_id: str, *, skip: int, limit: int) -> Page[Turn]:
        turns = self._ordered(chat_id)
        return Page(turns[skip : skip + limit], len(turns))

    async def list(self, *, owner_id: int | None, skip: int, limit: int) -> Page[Conversation]:
        chats = [c for c in self._data.conversations.values() if owner_id is None or c.owner_id == owner_id]
        chats.sort(key=lambda c: (c.updated_at, c.id), reverse=True)
        return Page([copy.copy(c) for c in chats[skip : skip + limit]], len(chats))

    async def delete(self, chat_id: str) -> bool:
        self._data.turns.pop(chat_id, None)
        return self._data.conversations.pop(chat_id, None) is not None


class InMemoryTurnJournal:
    """The SQL journal's contract on the shared in-memory data: every append is committed at once."""

    def __init__(self, data: InMemoryData) -> None:
        self._data = data

    async def append(
        self, chat_id: str, turn: Turn, *, owner_id: int | None, title: str, created_at: datetime | None = None,
        language: Language | None = None,
    ) -> int:
        stored = self._data.conversations.get(chat_id)
        if created_at is not None:
            if stored is not None:
                raise ValueError(f"chat {chat_id!r} already exists")
            stored = Conversation(id=chat_id, created_at=_utc(created_at), updated_at=_utc(created_at))
            self._data.turns[chat_id] = []
        if stored is None:
            raise NotFound("Conversación no encontrada.")
        owner = stored.owner_id if stored.owner_id is not None else owner_id
        if owner is not None and owner not in self._data.users:
            raise ValueError(f"no user {owner} to own chat {chat_id!r}")
        self._data.turns[chat_id].append(attrs.evolve(turn, id=self._data.next_turn_id, at=_utc(turn.at)))
        self._data.next_turn_id += 1
        self._data.conversations[chat_id] = attrs.evolve(
            stored, owner_id=owner, title=stored.title or title, message_count=stored.message_count + 1,
            updated_at=_utc(turn.at), language=language or stored.language,
        )
        return stored.message_count + 1


class InMemoryUnitOfWork:
    """Works on a copy of the shared data; ``commit`` publishes the copy."""

    # Typed as the ports: the UnitOfWork protocol's attributes are mutable, hence invariant.
    users: UserRepository
    contacts: ContactRepository
    refresh_sessions: RefreshSessionRepository
    conversations: ConversationRepository

    def __init__(self, data: InMemoryData, *, read_only: bool = False) -> None:
        self._shared = data
        self._working = data
        self._read_only = read_only
        self.committed = False

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._shared)
        self.users = InMemoryUserRepository(self._working)
        self.contacts = InMemoryContactRepository(self._working)
        self.refresh_sessions = InMemoryRefreshSessionRepository(self._working)
        self.conversations = InMemoryConversationRepository(self._working)
        self.committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        for field in attrs.fields(InMemoryData):
            setattr(self._shared, field.name, copy.deepcopy(getattr(self._working, field.name)))
        self.committed = True

    async def rollback(self) -> None:
        self._working = copy.deepcopy(self._shared)
        self.users = InMemoryUserRepository(self._working)
        self.contacts = InMemoryContactRepository(self._working)
        self.refresh_sessions = InMemoryRefreshSessionRepository(self._working)
        self.conversations = InMemoryConversationRepository(self._working)


class InMemoryUnitOfWorkFactory:
    """Makes units of work over one shared in-memory store (the whole 'database')."""

    def __init__(self) -> None:
        self.data = InMemoryData()

    def __call__(self, *, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.data, read_only=read_only)

    def journal(self) -> InMemoryTurnJournal:
        """A turn journal that writes to this same 'database'."""
        return InMemoryTurnJournal(self.data)

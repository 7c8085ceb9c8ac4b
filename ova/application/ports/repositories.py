from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from attrs import frozen

from ova.domain.chat import Conversation, Turn
from ova.domain.contact import ContactMessage
from ova.domain.language import Language
from ova.domain.tokens import RefreshSession
from ova.domain.users import User

T = TypeVar("T")


@frozen
class Page(Generic[T]):
    """A slice of a longer list and the length of the whole list."""

    items: Sequence[T]
    total: int


class UserRepository(Protocol):
    """Users by id and by (normalized, lower-case) email. Emails are unique."""

    async def add(self, user: User) -> User:
        """Store a new user and return it with its ``id``. Raises ``EmailAlreadyRegistered``."""

    async def get(self, user_id: int) -> User | None: ...

    async def get_by_email(self, email: str) -> User | None: ...

    async def list(self, *, skip: int, limit: int, query: str | None = None) -> Page[User]:
        """Users ordered by id; ``query`` matches part of the name or the email, ignoring case."""

    async def update(self, user: User) -> User:
        """Save every field of an existing user. Raises ``EmailAlreadyRegistered`` or ``NotFound``."""

    async def delete(self, user_id: int) -> bool:
        """Remove a user; ``False`` when there was none."""

    async def count_active_admins(self) -> int:
        """Active admins, counted so that two units of work that each demote one cannot both see the
        other's admin still active (the rows counted stay locked until the unit of work ends)."""


class ContactRepository(Protocol):
    """Messages from the contact form."""

    async def add(self, message: ContactMessage) -> ContactMessage: ...

    async def get(self, message_id: int) -> ContactMessage | None: ...

    async def list(self, *, skip: int, limit: int, unread_only: bool = False) -> Page[ContactMessage]:
        """Newest first (by ``fecha_envio``, then id)."""

    async def update(self, message: ContactMessage) -> ContactMessage: ...

    async def delete(self, message_id: int) -> bool: ...


class RefreshSessionRepository(Protocol):
    """Refresh-token families, so that rotation and reuse detection survive restarts."""

    async def add(self, session: RefreshSession) -> None: ...

    async def get(self, family: str) -> RefreshSession | None: ...

    async def rotate(self, family: str, *, expected_jti: str, new_jti: str, expires_at: datetime) -> bool:
        """Replace ``expected_jti`` by ``new_jti`` atomically; ``False`` if the family moved on."""

    async def revoke(self, family: str) -> None: ...

    async def revoke_all_for_user(self, user_id: int, *, keep: str | None = None) -> list[RefreshSession]:
        """Revoke every family of ``user_id`` but ``keep``; return those families (now revoked), so that
        their access tokens can be refused too."""

    async def delete_expired(self, now: datetime) -> int: ...


class ConversationRepository(Protocol):
    """Chats and their turns. Chat ids are strings chosen by the service (or the client). Turns are
    written by the ``TurnJournal``, which keeps a chat's count and dates in step with them."""

    async def add(self, conversation: Conversation) -> None:
        """Store a new chat (with no turns). Raises ``ValueError`` if the id exists or the owner does
        not; the unit of work stays usable after that."""

    async def get(self, chat_id: str) -> Conversation | None: ...

    async def recent_turns(self, chat_id: str, *, limit: int) -> list[Turn]:
        """The last ``limit`` turns, oldest first."""

    async def turns(self, chat_id: str, *, skip: int, limit: int) -> Page[Turn]:
        """Turns oldest first (by time, then id)."""

    async def list(self, *, owner_id: int | None, skip: int, limit: int) -> Page[Conversation]:
        """Chats most recently updated first; ``owner_id=None`` lists every chat (for admins)."""

    async def delete(self, chat_id: str) -> bool:
        """Remove a chat and its turns; ``False`` when there was none."""


class TurnJournal(Protocol):
    """Chat turns written as they are said, outside any unit of work, so that an implementation may
    store the turns of many conversations in one transaction (group commit) on a busy server."""

    async def append(
        self, chat_id: str, turn: Turn, *, owner_id: int | None, title: str, created_at: datetime | None = None,
        language: Language | None = None,
    ) -> int:
        """Store ``turn`` in an existing chat (or, with ``created_at``, in a new chat created in the same
        transaction: ``ValueError`` if it exists) and return when it is committed. In the same transaction
        the chat's message count grows by one, ``updated_at`` becomes the turn's time, an anonymous
        chat is claimed by ``owner_id`` (an owned one keeps its owner), an untitled one takes
        ``title`` and, when ``language`` is given, the chat is held in that language from now on.
        Returns the chat's message count after the commit, which counts the turns other connections
        wrote too. ``NotFound`` when the chat does not exist (only that turn fails)."""

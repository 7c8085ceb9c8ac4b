from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from ova.application.ports.repositories import (
    ContactRepository,
    ConversationRepository,
    RefreshSessionRepository,
    UserRepository,
)


class UnitOfWork(Protocol):
    """One transaction over every repository. Rolls back on exit unless ``commit`` was awaited."""

    users: UserRepository
    contacts: ContactRepository
    refresh_sessions: RefreshSessionRepository
    conversations: ConversationRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Makes units of work. ``read_only=True`` promises no writes (``commit`` then raises): the
    adapter may use a cheaper transaction that never waits for writers."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...

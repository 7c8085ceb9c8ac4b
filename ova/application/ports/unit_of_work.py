from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from ova.application.ports.repositories import (
    ContactRepository,
    RefreshSessionRepository,
    UserRepository,
)


class UnitOfWork(Protocol):
    """One transaction over every repository. Rolls back on exit unless ``commit`` was awaited."""

    users: UserRepository
    contacts: ContactRepository
    refresh_sessions: RefreshSessionRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]

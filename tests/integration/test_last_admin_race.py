"""Two admins demoting each other at the same moment must leave one admin, on SQLite and MariaDB.

Each demotion pauses right after counting the active admins until the other has counted too (or a
second has passed). If both counts can see two admins, both demotions go through and nobody is left
to administer the service.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from ova.adapters.sqlalchemy import migrator, tables
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory
from ova.adapters.state.memory import MemorySharedState
from ova.application.ports.repositories import UserRepository
from ova.application.users.commands import UserChanges
from ova.application.users.manage import UpdateUser
from ova.domain.errors import LastAdmin
from ova.domain.users import Role, User
from tests.fakes.security import FakePasswordHasher
from tests.services import clear_mariadb_tables


class PausingUsers:
    """The real repository, except that counting admins then waits at the barrier."""

    def __init__(self, inner: UserRepository, barrier: asyncio.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def count_active_admins(self) -> int:
        count = await self._inner.count_active_admins()
        # the other demotion may be blocked in the database until this one commits: then go on alone
        with contextlib.suppress(TimeoutError, asyncio.BrokenBarrierError):
            await asyncio.wait_for(self._barrier.wait(), timeout=1.0)
        return count


class PausingUnitOfWork:
    def __init__(self, inner: SqlUnitOfWork, barrier: asyncio.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    async def __aenter__(self) -> SqlUnitOfWork:
        uow = await self._inner.__aenter__()
        uow.users = PausingUsers(uow.users, self._barrier)  # type: ignore[assignment]
        return uow

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)


class PausingUnitOfWorkFactory:
    def __init__(self, inner: SqlUnitOfWorkFactory) -> None:
        self._inner = inner
        self.barrier = asyncio.Barrier(2)

    def __call__(self, *, read_only: bool = False) -> PausingUnitOfWork:
        return PausingUnitOfWork(self._inner(read_only=read_only), self.barrier)


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
async def uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlUnitOfWorkFactory]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'ova.sqlite3'}"
        migrator.upgrade(url)
    else:
        url = request.getfixturevalue("migrated_mariadb_url")
    engine = create_engine(url, pool_size=3, max_overflow=2)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()
        if request.param == "mariadb":
            clear_mariadb_tables(url, [t.name for t in reversed(tables.metadata.sorted_tables)])


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(uow_factory: SqlUnitOfWorkFactory) -> None:
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        ana = await uow.users.add(User("Ana", "ana@example.com", Role.ADMIN, True, now, "h"))
        luis = await uow.users.add(User("Luis", "luis@example.com", Role.ADMIN, True, now, "h"))
        await uow.commit()
    assert ana.id is not None and luis.id is not None
    state = MemorySharedState()
    update = UpdateUser(PausingUnitOfWorkFactory(uow_factory), FakePasswordHasher(), state, state)

    outcomes = await asyncio.gather(
        update(ana, luis.id, UserChanges(rol=Role.USER)),
        update(luis, ana.id, UserChanges(rol=Role.USER)),
        return_exceptions=True,
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == sorted(["User", LastAdmin.__name__])
    async with uow_factory(read_only=True) as uow:
        assert await uow.users.count_active_admins() == 1

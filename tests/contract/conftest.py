"""The ``uow_factory`` fixture: the same contract against the fakes, SQLite and MariaDB."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.sqlalchemy import migrator, tables
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.turn_journal import SqlTurnJournal
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWorkFactory
from ova.application.ports.repositories import TurnJournal
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from tests.fakes.repositories import InMemoryUnitOfWorkFactory
from tests.services import clear_mariadb_tables


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """``None`` for the in-memory fakes, else the URL of a migrated database."""
    if request.param == "memory":
        yield None
    elif request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'ova.sqlite3'}"
        migrator.upgrade(url)
        yield url
    else:
        url = request.getfixturevalue("migrated_mariadb_url")
        yield url
        clear_mariadb_tables(url, [t.name for t in reversed(tables.metadata.sorted_tables)])


@pytest.fixture
async def engine(database_url: str | None) -> AsyncIterator[AsyncEngine | None]:
    """The migrated database's engine, ``None`` for the in-memory fakes."""
    if database_url is None:
        yield None
        return
    engine = create_engine(database_url, pool_size=3, max_overflow=2)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def uow_factory(engine: AsyncEngine | None) -> UnitOfWorkFactory:
    return InMemoryUnitOfWorkFactory() if engine is None else SqlUnitOfWorkFactory(engine)


@asynccontextmanager
async def _journal(engine: AsyncEngine | None, uow_factory: UnitOfWorkFactory) -> AsyncIterator[TurnJournal]:
    if isinstance(uow_factory, InMemoryUnitOfWorkFactory):
        yield uow_factory.journal()
        return
    assert engine is not None
    journal = SqlTurnJournal(engine)
    try:
        yield journal
    finally:
        await journal.aclose()


@pytest.fixture
async def turn_journal(engine: AsyncEngine | None, uow_factory: UnitOfWorkFactory) -> AsyncIterator[TurnJournal]:
    """The journal writing to the same database as ``uow_factory``."""
    async with _journal(engine, uow_factory) as journal:
        yield journal


@pytest.fixture
async def other_turn_journal(
    engine: AsyncEngine | None, uow_factory: UnitOfWorkFactory,
) -> AsyncIterator[TurnJournal]:
    """A second journal on the same database, as another worker process would write."""
    async with _journal(engine, uow_factory) as journal:
        yield journal

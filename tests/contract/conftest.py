"""The ``uow_factory`` fixture: the same contract against the fakes, SQLite and MariaDB."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ova.adapters.fakes.repositories import InMemoryUnitOfWorkFactory
from ova.adapters.sqlalchemy import migrator, tables
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWorkFactory
from ova.application.ports.unit_of_work import UnitOfWorkFactory
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
async def uow_factory(database_url: str | None) -> AsyncIterator[UnitOfWorkFactory]:
    if database_url is None:
        yield InMemoryUnitOfWorkFactory()
        return
    engine = create_engine(database_url, pool_size=3, max_overflow=2)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()

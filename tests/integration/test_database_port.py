"""The ``Database`` port on SQLite and MariaDB, and a database that cannot be reached leaving every SQL
adapter as the domain's ``DatabaseUnavailable`` (never a SQLAlchemy exception)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.sqlalchemy.database import SqlDatabase
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.turn_journal import SqlTurnJournal
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWorkFactory
from ova.domain.chat import Speaker, Turn
from ova.domain.errors import DatabaseUnavailable
from tests.e2e.server import free_port


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlDatabase]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'db.sqlite3'}"
    else:
        url = request.getfixturevalue("mariadb_url")
    engine = create_engine(url)
    yield SqlDatabase(engine)
    await engine.dispose()


async def test_a_fresh_database_has_no_revision_until_upgraded_to_head(database: SqlDatabase) -> None:
    assert database.stored_revision() is None
    assert await database.revision() is None
    assert database.upgrade() == database.head()
    assert database.stored_revision() == database.head()
    assert await database.revision() == database.head()


async def test_describe_names_the_backend_and_the_revision(database: SqlDatabase) -> None:
    database.upgrade()
    report = await database.describe()
    assert report.backend == database.backend and report.backend in ("sqlite", "mysql")
    assert report.revision == database.head()
    assert report.latency_ms >= 0
    assert set(report.pool) in ({"size", "checked_in", "checked_out", "overflow"}, set())


def test_reading_the_revision_of_a_missing_sqlite_file_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite3"
    assert SqlDatabase(create_engine(f"sqlite+aiosqlite:///{path}")).stored_revision() is None
    assert not path.exists()


@pytest.fixture
async def unreachable_engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"mysql+aiomysql://root@127.0.0.1:{free_port()}/ova")
    yield engine
    await engine.dispose()


async def test_an_unreachable_database_is_database_unavailable_everywhere(unreachable_engine: AsyncEngine) -> None:
    engine = unreachable_engine
    database = SqlDatabase(engine)
    with pytest.raises(DatabaseUnavailable):
        await database.ping()
    with pytest.raises(DatabaseUnavailable):
        await database.describe()
    uow = SqlUnitOfWorkFactory(engine)
    with pytest.raises(DatabaseUnavailable) as raised:
        async with uow(read_only=True) as work:
            await work.users.get(1)
    assert raised.value.code == "database_unavailable" and raised.value.__cause__ is not None
    journal = SqlTurnJournal(engine)
    turn = Turn(Speaker.USER, "hola", datetime.now(UTC))
    with pytest.raises(DatabaseUnavailable):
        await journal.append("chat-1", turn, owner_id=None, title="hola")
    await journal.aclose()

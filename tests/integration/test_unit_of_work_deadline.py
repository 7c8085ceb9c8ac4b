"""The unit of work's deadline (``timeout``: MySQL's ``DB_TIMEOUT_S``) as ``asyncio.Timeout`` semantics
make it: its own expiry, wherever the block waits, is ``DatabaseUnavailable`` and the connection leaves
the pool; any other cancellation, an enclosing timeout's included, stays what it was. Run on a SQLite
file (the deadline itself is the same code on both backends; only MySQL's factory turns it on)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.sqlalchemy import migrator
from ova.adapters.sqlalchemy.engine import create_engine, pool_status
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from ova.domain.errors import DatabaseUnavailable

DEADLINE_S = 0.2
LONG_S = 30.0


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'deadline.db'}"
    await asyncio.to_thread(migrator.upgrade, url)
    engine = create_engine(url)
    yield engine
    await engine.dispose()


def invalidations(engine: AsyncEngine) -> list[object]:
    """Filled with one entry per pooled connection closed for good (invalidated) from now on."""
    seen: list[object] = []

    @event.listens_for(engine.sync_engine.pool, "invalidate")
    def _seen(dbapi_connection: object, _record: object, _error: object) -> None:
        seen.append(dbapi_connection)

    return seen


async def read_then_wait(engine: AsyncEngine, *, deadline_s: float, wait_s: float) -> None:
    async with SqlUnitOfWork(engine, read_only=True, timeout=deadline_s) as uow:
        await uow.users.get(1)
        await asyncio.sleep(wait_s)  # whatever the block waits for counts


async def test_a_block_that_outlasts_its_deadline_is_database_unavailable_and_its_connection_is_dropped(
    engine: AsyncEngine,
) -> None:
    dropped = invalidations(engine)
    async with asyncio.timeout(LONG_S):
        with pytest.raises(DatabaseUnavailable) as raised:
            await read_then_wait(engine, deadline_s=DEADLINE_S, wait_s=LONG_S)
    assert isinstance(raised.value.__cause__, TimeoutError)
    assert pool_status(engine)["checked_out"] == 0
    assert len(dropped) == 1
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0


async def test_a_block_within_its_deadline_returns_its_connection(engine: AsyncEngine) -> None:
    dropped = invalidations(engine)
    await read_then_wait(engine, deadline_s=LONG_S, wait_s=0)
    assert pool_status(engine)["checked_in"] == 1
    assert dropped == []


async def test_a_cancellation_from_outside_stays_a_cancellation(engine: AsyncEngine) -> None:
    task = asyncio.create_task(read_then_wait(engine, deadline_s=LONG_S, wait_s=LONG_S))
    await asyncio.sleep(DEADLINE_S)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelling() == 1
    assert pool_status(engine)["checked_out"] == 0


async def test_an_enclosing_timeout_that_expires_first_is_the_callers_own(engine: AsyncEngine) -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(DEADLINE_S):
            await read_then_wait(engine, deadline_s=LONG_S, wait_s=LONG_S)
    assert pool_status(engine)["checked_out"] == 0


async def test_a_deadline_inside_a_longer_enclosing_timeout_is_database_unavailable(engine: AsyncEngine) -> None:
    async with asyncio.timeout(LONG_S):
        with pytest.raises(DatabaseUnavailable):
            await read_then_wait(engine, deadline_s=DEADLINE_S, wait_s=LONG_S)

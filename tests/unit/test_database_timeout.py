"""``DB_TIMEOUT_S``: read from the environment, handed to the MySQL engine (connect and pool
timeouts, and the bound the unit of work and turn journal read back), absent on SQLite; and a
timeout is the domain's ``DatabaseUnavailable`` with a cause that says what happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.pool import QueuePool

from ova.adapters.sqlalchemy.engine import create_engine, timeout_s
from ova.adapters.sqlalchemy.errors import translated
from ova.config import load_settings
from ova.config.loader import ConfigError
from ova.domain.errors import DatabaseUnavailable


def test_db_timeout_s_is_read_with_a_default(tmp_path: Path) -> None:
    none = tmp_path / "none"
    assert load_settings({}, env_file=none).database.timeout_s == 10
    assert load_settings({"DB_TIMEOUT_S": "2.5"}, env_file=none).database.timeout_s == 2.5
    with pytest.raises(ConfigError, match="DB_TIMEOUT_S"):
        load_settings({"DB_TIMEOUT_S": "0"}, env_file=none)


async def test_the_mysql_engine_bounds_connecting_and_pool_checkout() -> None:
    engine = create_engine("mysql+aiomysql://root@127.0.0.1:1/ova", timeout_s=2.5)
    try:
        assert timeout_s(engine) == 2.5
        pool = engine.sync_engine.pool
        assert isinstance(pool, QueuePool) and pool._timeout == 2.5
    finally:
        await engine.dispose()


async def test_sqlite_keeps_its_busy_timeout_only(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", timeout_s=2.5)
    try:
        assert timeout_s(engine) is None
    finally:
        await engine.dispose()


def test_a_timeout_is_database_unavailable_with_a_cause_that_says_so() -> None:
    error = translated(TimeoutError())
    assert isinstance(error, DatabaseUnavailable)
    assert "did not answer in time" in str(error.__cause__).splitlines()[0]

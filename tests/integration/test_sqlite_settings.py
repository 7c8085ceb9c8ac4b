"""How every SQLite connection is configured, and the turn journal's own connection on top."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ova.adapters.sqlalchemy.engine import SQLITE_WAL_AUTOCHECKPOINT_PAGES, create_engine, sync_sqlite_engine
from ova.adapters.sqlalchemy.turn_journal import JOURNAL_PRAGMAS

SETTINGS = ("journal_mode", "synchronous", "foreign_keys", "wal_autocheckpoint", "cache_size")
EXPECTED = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1,
            "wal_autocheckpoint": SQLITE_WAL_AUTOCHECKPOINT_PAGES}


async def test_pooled_connections_use_wal_normal_sync_foreign_keys_and_rare_checkpoints(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'ova.db'}")
    try:
        async with engine.connect() as connection:
            found = {name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one() for name in SETTINGS}
    finally:
        await engine.dispose()
    assert {name: found[name] for name in EXPECTED} == EXPECTED
    assert found["cache_size"] == -2000  # SQLite's default: only the journal's connection keeps more


def test_the_journals_connection_is_configured_alike_and_keeps_a_larger_cache(tmp_path: Path) -> None:
    engine = sync_sqlite_engine(make_url(f"sqlite+aiosqlite:///{tmp_path / 'ova.db'}"), pragmas=JOURNAL_PRAGMAS)
    assert engine is not None
    try:
        with engine.connect() as connection:
            found = {name: connection.execute(text(f"PRAGMA {name}")).scalar_one() for name in SETTINGS}
    finally:
        engine.dispose()
    assert {name: found[name] for name in EXPECTED} == EXPECTED
    assert found["cache_size"] == -65536


def test_an_in_memory_database_has_no_journal_connection_of_its_own() -> None:
    assert sync_sqlite_engine(make_url("sqlite+aiosqlite://"), pragmas=JOURNAL_PRAGMAS) is None

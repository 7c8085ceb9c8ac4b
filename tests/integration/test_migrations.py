"""Alembic migrations on a fresh SQLite file and a fresh MariaDB database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ova.adapters.sqlalchemy import migrator, tables

APP_TABLES = {"users", "contact_messages", "refresh_sessions", "conversations", "chat_turns"}


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database that was never migrated, as the application would name it (async driver)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'ova.sqlite3'}"
    url: str = request.getfixturevalue("mariadb_url")
    return url


@pytest.fixture
def sync_engine(fresh_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(migrator.sync_url(fresh_url), poolclass=sa.NullPool)
    yield engine
    engine.dispose()


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_creates_the_tables_and_current_is_head(fresh_url: str, sync_engine: sa.Engine) -> None:
    assert migrator.current(fresh_url) is None
    migrator.upgrade(fresh_url)
    assert table_names(sync_engine) == APP_TABLES | {"alembic_version"}
    assert migrator.current(fresh_url) == migrator.head()


def test_upgrading_twice_is_a_no_op_that_keeps_the_data(fresh_url: str, sync_engine: sa.Engine) -> None:
    migrator.upgrade(fresh_url)
    with sync_engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (nombre, email, rol, activo, fecha_registro)"
                " VALUES ('Ana', 'ana@example.com', 'usuario', 1, '2026-01-01 00:00:00')"
            )
        )
    migrator.upgrade(fresh_url)
    with sync_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT email FROM users")).scalars().all() == ["ana@example.com"]
    assert migrator.current(fresh_url) == migrator.head()


def test_downgrade_to_base_drops_the_tables_and_upgrade_restores_them(
    fresh_url: str, sync_engine: sa.Engine
) -> None:
    migrator.upgrade(fresh_url)
    migrator.downgrade(fresh_url, "base")
    assert table_names(sync_engine) == {"alembic_version"}
    assert migrator.current(fresh_url) is None
    migrator.upgrade(fresh_url)
    assert table_names(sync_engine) >= APP_TABLES
    assert migrator.current(fresh_url) == migrator.head()


def test_migrated_schema_matches_the_table_definitions(fresh_url: str, sync_engine: sa.Engine) -> None:
    migrator.upgrade(fresh_url)
    with sync_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, tables.metadata)
    assert differences == []


async def test_the_alembic_environment_also_runs_with_an_async_driver(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'async.sqlite3'}"
    config = migrator.alembic_config()
    config.attributes["url"] = url
    # env.py calls asyncio.run() for async drivers: give it a thread without a running loop.
    await asyncio.to_thread(command.upgrade, config, "head")
    assert migrator.current(url) == migrator.head()


def test_head_is_the_single_latest_revision() -> None:
    assert migrator.head() == "0003"


def test_downgrade_to_0001_drops_only_the_chat_tables_and_keeps_the_users(
    fresh_url: str, sync_engine: sa.Engine
) -> None:
    migrator.upgrade(fresh_url, "0001")
    with sync_engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (nombre, email, rol, activo, fecha_registro)"
                " VALUES ('Ana', 'ana@example.com', 'usuario', 1, '2026-01-01 00:00:00')"
            )
        )
    migrator.upgrade(fresh_url)
    assert table_names(sync_engine) == APP_TABLES | {"alembic_version"}
    migrator.downgrade(fresh_url, "0001")
    assert table_names(sync_engine) == {"users", "contact_messages", "refresh_sessions", "alembic_version"}
    with sync_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT email FROM users")).scalars().all() == ["ana@example.com"]
    assert migrator.current(fresh_url) == "0001"


def test_0003_gives_existing_chats_no_language_and_its_downgrade_keeps_chats_and_turns(
    fresh_url: str, sync_engine: sa.Engine
) -> None:
    migrator.upgrade(fresh_url, "0002")
    with sync_engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO conversations (id, owner_id, title, message_count, created_at, updated_at)"
            " VALUES ('c1', NULL, 'hola', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        connection.execute(sa.text(
            "INSERT INTO chat_turns (chat_id, speaker, text, created_at)"
            " VALUES ('c1', 'user', 'hola', '2026-01-01 00:00:00')"))
    migrator.upgrade(fresh_url, "0003")
    with sync_engine.begin() as connection:
        assert connection.execute(sa.text("SELECT id, language FROM conversations")).all() == [("c1", None)]
        connection.execute(sa.text("UPDATE conversations SET language = 'en' WHERE id = 'c1'"))
    migrator.downgrade(fresh_url, "0002")
    columns = {column["name"] for column in sa.inspect(sync_engine).get_columns("conversations")}
    assert "language" not in columns
    with sync_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT id, title FROM conversations")).all() == [("c1", "hola")]
        assert connection.execute(sa.text("SELECT text FROM chat_turns")).scalars().all() == ["hola"]
    assert migrator.current(fresh_url) == "0002"

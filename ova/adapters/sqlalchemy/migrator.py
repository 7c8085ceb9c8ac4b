"""Schema migrations (Alembic), callable from code and the CLI without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL, make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_SYNC_DRIVERS = {"aiosqlite": "pysqlite", "aiomysql": "pymysql", "asyncmy": "pymysql"}


def sync_url(url: str | URL) -> URL:
    """The same database through a blocking driver: ``sqlite+aiosqlite`` → ``sqlite``, etc."""
    parsed = make_url(url)
    driver = _SYNC_DRIVERS.get(parsed.get_driver_name())
    if driver is None:
        return parsed
    return parsed.set(drivername=f"{parsed.get_backend_name()}+{driver}")


def alembic_config(url: str | URL | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # Passed as an attribute, not an option: options go through configparser, which would
        # choke on a '%' in a password.
        config.attributes["url"] = sync_url(url)
        _create_sqlite_parent_dir(config.attributes["url"])
    return config


def _is_sqlite_file(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def _create_sqlite_parent_dir(url: URL) -> None:
    if _is_sqlite_file(url):
        Path(url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)


def upgrade(url: str | URL, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str | URL) -> str | None:
    """The revision the database is at; ``None`` for a database never migrated (or no file yet)."""
    parsed = sync_url(url)
    if _is_sqlite_file(parsed) and not Path(parsed.database or "").expanduser().exists():
        return None
    engine = create_engine(parsed, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {heads}")
    return heads[0]

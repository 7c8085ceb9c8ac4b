"""Schema migrations (Alembic), callable from code and the CLI without an alembic.ini."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import URL, make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
LOCK_NAME = "ova_migrations"
LOCK_TIMEOUT_S = 600
"""How long an upgrade waits for another one (on another host) to finish before it gives up."""
_PG_LOCK_KEY = 0x6F7661  # "ova": pg_advisory_lock's key

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


class MigrationLockTimeout(RuntimeError):
    """Another migration held the lock for longer than ``LOCK_TIMEOUT_S``."""


@contextmanager
def migration_lock(url: str | URL, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Held while this process migrates, so that upgrades started on several hosts at once run one
    after the other (the later ones then find the schema at head and do nothing): MariaDB/MySQL's
    ``GET_LOCK`` and PostgreSQL's advisory lock on a connection of their own, a file lock beside a
    SQLite file. Released when the block ends, or by the server when the process dies."""
    parsed = sync_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not _is_sqlite_file(parsed):
            yield
            return
        lock_path = Path(f"{Path(parsed.database or '').expanduser()}.migrate.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as handle:
            _flock(handle.fileno(), timeout_s)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    if backend not in ("mysql", "mariadb", "postgresql"):
        yield
        return
    engine = create_engine(parsed, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            params: dict[str, object]
            if backend == "postgresql":
                connection.execute(text(f"SET lock_timeout = '{int(timeout_s * 1000)}ms'"))
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
                release, params = "SELECT pg_advisory_unlock(:key)", {"key": _PG_LOCK_KEY}
            else:
                name = f"{LOCK_NAME}:{parsed.database or ''}"[:64]  # one lock per database of the server
                got = connection.execute(text("SELECT GET_LOCK(:name, :timeout)"),
                                         {"name": name, "timeout": timeout_s}).scalar()
                if got != 1:
                    raise MigrationLockTimeout(
                        f"another migration held the lock {name!r} for more than {timeout_s:g} s")
                release, params = "SELECT RELEASE_LOCK(:name)", {"name": name}
            try:
                yield
            finally:
                connection.execute(text(release), params)
    finally:
        engine.dispose()


def _flock(fd: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise MigrationLockTimeout(
                    f"another migration held the database's lock file for more than {timeout_s:g} s") from None
            time.sleep(0.05)


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate to ``revision``, one process at a time across hosts (``migration_lock``)."""
    with migration_lock(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL, revision: str) -> None:
    with migration_lock(url):
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

"""Async engines for SQLite (embedded) and MySQL/MariaDB (several workers or hosts)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import sqlalchemy
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool, SingletonThreadPool, StaticPool

Backend = Literal["sqlite", "mysql"]

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000  # about 40 MiB of WAL (4 KiB pages) between checkpoints
READ_ONLY = "ova_read_only"
"""Execution option of a connection that will only read (see ``configure_sqlite``)."""
TIMEOUT_S = "ova_timeout_s"
"""Engine execution option: seconds a unit of work or a journal write may wait on a MySQL server
(see ``timeout_s``); absent on SQLite, whose busy timeout bounds its waits."""


def database_backend(url: str | URL) -> Backend:
    name = make_url(url).get_backend_name()
    if name == "sqlite":
        return "sqlite"
    if name in ("mysql", "mariadb"):
        return "mysql"
    raise ValueError(f"unsupported database backend {name!r} (use sqlite or mysql/mariadb)")


def is_sqlite_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url.query.get("uri", ""))


def create_engine(
    url: str | URL,
    *,
    echo: bool = False,
    pool_size: int = 10,
    max_overflow: int = 20,
    pool_recycle: int = 1800,
    timeout_s: float = 10.0,
) -> AsyncEngine:
    """An engine for ``url``. On MySQL, ``timeout_s`` bounds connecting (``connect_timeout``) and the
    wait for a free pooled connection (``pool_timeout``); aiomysql has no read timeout, so the unit of
    work and the turn journal bound their own waits with it (``timeout_s(engine)``): a server that
    stops answering without closing the connection would otherwise hold a request for the kernel's
    retransmission timeout (minutes)."""
    parsed = make_url(url)
    if database_backend(parsed) == "sqlite":
        return _create_sqlite_engine(parsed, echo=echo, pool_size=pool_size, max_overflow=max_overflow)
    if "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return create_async_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=pool_recycle,
        pool_pre_ping=True,
        pool_timeout=timeout_s,
        connect_args={"connect_timeout": timeout_s},
        execution_options={TIMEOUT_S: timeout_s},
    )


def timeout_s(engine: AsyncEngine) -> float | None:
    """The bound on one wait for the database server given to ``create_engine``; ``None`` on SQLite."""
    value = engine.get_execution_options().get(TIMEOUT_S)
    return float(value) if value is not None else None


def _create_sqlite_engine(url: URL, *, echo: bool, pool_size: int, max_overflow: int) -> AsyncEngine:
    if is_sqlite_memory(url):
        engine = create_async_engine(url, echo=echo, poolclass=StaticPool)
    else:
        assert url.database is not None
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # every unit of work ends its transaction itself, so the pool need not roll back again
        engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow,
                                     pool_reset_on_return=None)
    configure_sqlite(engine.sync_engine)
    return engine


def sync_sqlite_engine(url: URL, *, pragmas: Sequence[str] = ()) -> Engine | None:
    """A synchronous engine (the standard ``sqlite3`` driver, one connection, usable from any one
    thread) on the same SQLite file as an asyncio engine, configured alike and then with ``pragmas``
    (``"cache_size=-65536"``...); ``None`` for an in-memory database or another backend."""
    if database_backend(url) != "sqlite" or is_sqlite_memory(url):
        return None
    engine = sqlalchemy.create_engine(url.set(drivername="sqlite"), poolclass=SingletonThreadPool,
                                      pool_reset_on_return=None)
    configure_sqlite(engine, pragmas=pragmas)
    return engine


def configure_sqlite(engine: Any, *, pragmas: Sequence[str] = ()) -> None:
    """WAL with ``synchronous=NORMAL``, foreign keys, a busy timeout and a Unicode ``lower()`` on every
    connection, then ``pragmas`` (what one engine's connections need besides).

    The WAL is copied back into the database (checkpoint) once it holds ``SQLITE_WAL_AUTOCHECKPOINT_PAGES``
    pages, on every connection alike (the commit that crosses it does the copy): a page written by many
    commits, as the chat's busy index pages are, is then copied once instead of every 1,000 pages
    (SQLite's default).

    ``synchronous=NORMAL`` (SQLite's advice for WAL): a commit no longer waits for an fsync of the WAL
    (a large share of a chat message's database time). The database
    cannot be corrupted and survives the process crashing; only a power cut or an OS crash may lose the
    last commits before the next checkpoint.

    SQLite's own ``lower()`` only folds ASCII; it is replaced by ``str.lower`` so that searches
    ignore case in any script, as on MySQL and in the fakes.

    The sqlite3 driver's own transaction control skips BEGIN before SELECT and SAVEPOINT, which
    breaks savepoints; so it is switched off and every transaction starts with BEGIN IMMEDIATE
    (takes the write lock up front and waits ``busy_timeout`` for it, instead of failing with
    "database is locked" when a read transaction later tries to write). A read-only unit of work
    (the ``READ_ONLY`` execution option) issues no BEGIN at all: each of its statements reads a
    consistent snapshot on its own, and readers never queue behind writers (WAL).
    """

    settings = ("foreign_keys=ON", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "journal_mode=WAL",
                "synchronous=NORMAL", f"wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}", *pragmas)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        for pragma in settings:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


async def ping(engine: AsyncEngine) -> float:
    """Round trip of ``SELECT 1`` in milliseconds."""
    started = time.perf_counter()
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return (time.perf_counter() - started) * 1000


def pool_status(engine: AsyncEngine) -> dict[str, int]:
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return {}
    return {
        "size": pool.size(),
        "checked_in": pool.checkedin(),
        "checked_out": pool.checkedout(),
        "overflow": max(0, pool.overflow()),
    }

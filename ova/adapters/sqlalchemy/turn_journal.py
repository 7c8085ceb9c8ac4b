"""Chat turns stored by group commit: each ``append`` returns once the transaction holding its turn has
committed, and the turns that arrive while one transaction runs all go into the next one.

On a busy server this turns one transaction (and, on SQLite, one wait for the write lock) per chat
message into one per batch: with 1,000 connections talking at once a batch holds hundreds of turns,
written with two ``executemany`` and counted with one ``SELECT``. A quiet server pays nothing for it:
a lone turn is written at once, in a batch of one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import structlog
from sqlalchemy import Integer, String, bindparam, case, func, insert, select, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.sqlalchemy.column_types import UTCDateTime
from ova.adapters.sqlalchemy.conversations import CHAT_NOT_FOUND
from ova.adapters.sqlalchemy.engine import READ_ONLY, sync_sqlite_engine, timeout_s
from ova.adapters.sqlalchemy.errors import translated
from ova.adapters.sqlalchemy.tables import chat_turns as turns
from ova.adapters.sqlalchemy.tables import conversations
from ova.domain.chat import Turn
from ova.domain.errors import NotFound
from ova.domain.language import Language

log = structlog.get_logger("ova.chat")

MAX_BATCH = 512
# The journal's own SQLite connection, which does nearly all of the chat's writing, keeps a 64 MiB page
# cache (the default 2 MiB made a busy chat's batches re-read the pages of the turns' index).
JOURNAL_PRAGMAS = ("cache_size=-65536",)

_APPEND_TURNS = insert(turns)
_BUMP_CHAT = (
    update(conversations)
    .where(conversations.c.id == bindparam("b_id", type_=String()))
    .values(
        message_count=conversations.c.message_count + bindparam("b_count", type_=Integer()),
        updated_at=bindparam("b_at", type_=UTCDateTime()),
        title=case((conversations.c.title == "", bindparam("b_title", type_=String())), else_=conversations.c.title),
        owner_id=func.coalesce(conversations.c.owner_id, bindparam("b_owner", type_=Integer())),
        language=func.coalesce(bindparam("b_language", type_=String()), conversations.c.language),
    )
)
_COUNTS = select(conversations.c.id, conversations.c.message_count).where(
    conversations.c.id.in_(bindparam("ids", expanding=True))
)


class _Prepared:
    """A statement compiled once for a dialect and executed as driver SQL with rows of positional
    values. (Through ``Connection.execute`` SQLAlchemy builds and processes a parameter dictionary for
    every row of an ``executemany``, which costs a chat message more than the database itself.)

    Rows come in as dictionaries by parameter name; each becomes a tuple in the statement's order, and
    only the columns whose type converts values (the dates) go through a converter: the column type's
    own bind processor, or for SQLite's dates ``sqlite_datetime``, which writes the same text faster.
    (Here rather than in ``UTCDateTime``: SQLAlchemy asks a ``TypeDecorator`` not to replace its bind
    processor, and this is the one writer whose dates are a hot path.)"""

    def __init__(self, statement: Any, dialect: Dialect, column_keys: list[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name} does not use positional parameters")
        self.sql = str(compiled)
        self.names: list[str] = list(compiled.positiontup)
        # the statement's own constants (``WHEN title = ''``), which no row carries
        self.constants = {name: compiled.binds[name].value for name in self.names if not compiled.binds[name].required}
        self.converters: list[tuple[int, Callable[[Any], Any]]] = []
        for index, name in enumerate(self.names):
            bind_type = compiled.binds[name].type
            process = bind_type.dialect_impl(dialect).bind_processor(dialect)
            if isinstance(bind_type, UTCDateTime) and dialect.name == "sqlite":
                process = sqlite_datetime
            if process is not None:
                self.converters.append((index, process))
        names = self.names
        self._pick: Callable[[dict[str, Any]], tuple[Any, ...]] = (
            itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],))

    def rows(self, values: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        pick, constants = self._pick, self.constants
        picked = [pick({**constants, **row}) for row in values] if constants else [pick(row) for row in values]
        if not self.converters:
            return picked
        converters = self.converters
        converted: list[tuple[Any, ...]] = []
        for row in picked:
            cells = list(row)
            for index, process in converters:
                cells[index] = process(cells[index])
            converted.append(tuple(cells))
        return converted

    def executemany(self, connection: Connection, values: list[dict[str, Any]]) -> None:
        connection.exec_driver_sql(self.sql, self.rows(values))


def sqlite_datetime(value: datetime | None) -> str | None:
    """What ``UTCDateTime`` stores on SQLite (naive UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``), written by
    ``datetime.isoformat`` instead of SQLAlchemy's per-field formatting."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # what the clock gives: "...+00:00" cut off, one datetime fewer made
        return value.isoformat(" ", "microseconds")[:-6]
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class _Entry:
    """A turn handed in, and the future its caller waits on."""

    __slots__ = ("chat_id", "created_at", "future", "language", "owner_id", "title", "turn")

    def __init__(self, chat_id: str, turn: Turn, owner_id: int | None, title: str, created_at: datetime | None,
                 language: Language | None, future: asyncio.Future[int]) -> None:
        self.chat_id, self.turn, self.owner_id, self.title = chat_id, turn, owner_id, title
        self.created_at, self.future = created_at, future
        self.language = language.value if language is not None else None


def _turn_rows(batch: list[_Entry]) -> list[dict[str, Any]]:
    return [{"chat_id": e.chat_id, "speaker": e.turn.speaker.value, "text": e.turn.text, "created_at": e.turn.at}
            for e in batch]


def _chat_rows(batch: list[_Entry]) -> list[dict[str, Any]]:
    """One UPDATE row per chat: how many turns it gains, its newest time, the first title and owner,
    and the last language given."""
    rows: dict[str, dict[str, Any]] = {}
    for entry in batch:
        row = rows.get(entry.chat_id)
        if row is None:
            rows[entry.chat_id] = {"b_id": entry.chat_id, "b_count": 1, "b_at": entry.turn.at,
                                   "b_title": entry.title, "b_owner": entry.owner_id, "b_language": entry.language}
            continue
        row["b_count"] += 1
        if entry.language is not None:
            row["b_language"] = entry.language
        row["b_at"] = max(row["b_at"], entry.turn.at)
        row["b_title"] = row["b_title"] or entry.title
        row["b_owner"] = row["b_owner"] if row["b_owner"] is not None else entry.owner_id
    return list(rows.values())


class SqlTurnJournal:
    """On a SQLite file a batch is written by a plain ``sqlite3`` connection in one thread of its own:
    one hand-over to that thread per batch, where aiosqlite hands every statement to its thread and
    back (most of a lone turn's time went to those hand-overs). Elsewhere (MariaDB, an
    in-memory SQLite) the batch goes through the asyncio engine."""

    def __init__(self, engine: AsyncEngine, *, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._pending: list[_Entry] = []
        self._writer: asyncio.Task[None] | None = None
        dialect = engine.dialect
        self._append_turns = _Prepared(_APPEND_TURNS, dialect, ["chat_id", "speaker", "text", "created_at"])
        self._bump_chats = _Prepared(_BUMP_CHAT, dialect)
        self._create_chats = _Prepared(insert(conversations), dialect,
                                       ["id", "owner_id", "title", "message_count", "created_at", "updated_at"])
        quote, table = dialect.identifier_preparer.quote, conversations
        chat_id, count = quote(table.c.id.name), quote(table.c.message_count.name)
        self._counts_head = f"SELECT {chat_id}, {count} FROM {quote(table.name)} WHERE {chat_id} IN ("  # noqa: S608
        self._placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
        self._sync_engine = sync_sqlite_engine(engine.url, pragmas=JOURNAL_PRAGMAS)
        self._timeout = timeout_s(engine)  # MySQL: a batch gives up on a server that stopped answering
        self._thread: ThreadPoolExecutor | None = None  # started by the first batch

    async def append(
        self, chat_id: str, turn: Turn, *, owner_id: int | None, title: str, created_at: datetime | None = None,
        language: Language | None = None,
    ) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append(_Entry(chat_id, turn, owner_id, title, created_at, language, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_pending())
        # a caller that stops waiting (cancelled) cancels only its future: the turn is written all the same
        return await future

    async def aclose(self) -> None:
        """Wait until every turn handed in so far is written, then release the thread and its connection."""
        while self._writer is not None:
            await asyncio.wait({self._writer})
        thread, self._thread = self._thread, None
        if thread is not None and self._sync_engine is not None:
            await asyncio.get_running_loop().run_in_executor(thread, self._sync_engine.dispose)
            thread.shutdown(wait=False)

    async def _write_pending(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                await self._write_batch(batch)
        finally:
            self._writer = None
            left, self._pending = self._pending, []
            for entry in left:  # only when this task itself is cancelled (the loop is closing)
                _settle(entry.future, RuntimeError("the turn journal stopped before writing this turn"))

    async def _write_batch(self, batch: list[_Entry]) -> None:
        try:
            counts = await self._write(batch)
        except IntegrityError:
            if len(batch) > 1:  # find the turns that cannot be written; the others still are
                for entry in batch:
                    await self._write_batch([entry])
            else:
                _settle(batch[0].future, await self._refusal(batch[0]))
            return
        except Exception as error:
            log.warning("chat turns not written", turns=len(batch), error=str(error)[:200])
            failure = translated(error)
            for entry in batch:
                _settle(entry.future, failure)
            return
        except BaseException:
            for entry in batch:
                _settle(entry.future, RuntimeError("the turn journal stopped before writing this turn"))
            raise
        for entry in batch:  # the count after the commit: it shows every turn written alongside
            _settle(entry.future, counts[entry.chat_id])

    async def _write(self, entries: list[_Entry]) -> dict[str, int]:
        if self._sync_engine is not None:
            if self._thread is None:
                self._thread = ThreadPoolExecutor(1, "ova-turn-journal")
            return await asyncio.get_running_loop().run_in_executor(self._thread, self._write_now, entries)
        if self._timeout is not None:
            return await self._write_within(entries, self._timeout)
        async with self._engine.begin() as connection:
            return await connection.run_sync(self._write_in, entries)

    async def _write_within(self, entries: list[_Entry], seconds: float) -> dict[str, int]:
        """The batch in one transaction, taking the connection and the transaction each bounded by
        ``seconds``: a server that stops answering fails the batch (``TimeoutError``) instead of
        holding every turn in it. The connection of a batch that timed out is discarded, not rolled
        back (the rollback would wait on the same server)."""
        async with asyncio.timeout(seconds):
            connection = await self._engine.connect()
        try:
            async with asyncio.timeout(seconds):
                await connection.begin()
                counts = await connection.run_sync(self._write_in, entries)
                await connection.commit()
        except TimeoutError:
            await connection.invalidate()
            raise
        except BaseException:
            try:
                async with asyncio.timeout(seconds):
                    await connection.rollback()
            except TimeoutError:
                await connection.invalidate()
            raise
        finally:
            await connection.close()
        return counts

    def _write_now(self, entries: list[_Entry]) -> dict[str, int]:
        assert self._sync_engine is not None
        with self._sync_engine.begin() as connection:
            return self._write_in(connection, entries)

    def _write_in(self, connection: Connection, entries: list[_Entry]) -> dict[str, int]:
        # rows locked in chat-id order (a stable sort keeps each chat's turns in order), so that two
        # processes writing batches about the same chats cannot deadlock on MariaDB
        entries = sorted(entries, key=lambda entry: entry.chat_id)
        chats = _chat_rows(entries)
        created = [{"id": e.chat_id, "owner_id": None, "title": "", "message_count": 0, "created_at": e.created_at,
                    "updated_at": e.created_at} for e in entries if e.created_at is not None]
        if created:
            self._create_chats.executemany(connection, created)
        self._append_turns.executemany(connection, _turn_rows(entries))
        self._bump_chats.executemany(connection, chats)
        ids = tuple(row["b_id"] for row in chats)
        return dict(connection.exec_driver_sql(self._counts_sql(len(ids)), ids).all())

    def _counts_sql(self, ids: int) -> str:
        """``SELECT id, message_count ... WHERE id IN (<ids> placeholders)`` as driver SQL (rendering an
        expanding IN through SQLAlchemy on every batch cost more than running it)."""
        return self._counts_head + ", ".join([self._placeholder] * ids) + ")"

    async def _refusal(self, entry: _Entry) -> Exception:
        """Why a lone turn broke a foreign key: its chat is gone, or the user claiming it is."""
        async with self._engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            exists = (await connection.execute(_COUNTS, {"ids": [entry.chat_id]})).first() is not None
        if exists and entry.created_at is not None:
            return ValueError(f"chat {entry.chat_id!r} already exists")
        if exists:
            return ValueError(f"no user {entry.owner_id} to own chat {entry.chat_id!r}")
        return NotFound(CHAT_NOT_FOUND)


def _settle(future: asyncio.Future[int], outcome: int | Exception) -> None:
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)

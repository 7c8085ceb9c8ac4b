from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ova.adapters.sqlalchemy.contacts import SqlContactRepository
from ova.adapters.sqlalchemy.conversations import SqlConversationRepository
from ova.adapters.sqlalchemy.engine import READ_ONLY, timeout_s
from ova.adapters.sqlalchemy.errors import UNAVAILABLE, unavailable
from ova.adapters.sqlalchemy.refresh_sessions import SqlRefreshSessionRepository
from ova.adapters.sqlalchemy.users import SqlUserRepository
from ova.application.ports.repositories import (
    ContactRepository,
    ConversationRepository,
    RefreshSessionRepository,
    UserRepository,
)


class SqlUnitOfWork:
    """One connection per ``async with``, in a transaction that is rolled back unless committed.

    After ``commit`` or ``rollback`` the next statement starts a new transaction (as in the fakes).
    A database that cannot be reached, in any statement, leaves the block as ``DatabaseUnavailable``.

    With a ``timeout`` (MySQL: its driver has no read timeout), the whole block is bounded by one
    deadline of ``timeout`` seconds, from taking the connection (pre-ping included) through every
    statement and the commit to handing the connection back: a server that stops answering, before
    or between statements, ends the block as ``DatabaseUnavailable`` instead of holding it for the
    kernel's retransmission timeout. One timer per block, none per statement. What the block awaits
    besides the database counts too. A connection that was cut off is discarded, never returned to
    the pool half-used.

    The deadline is an ``asyncio.Timeout`` entered by ``__aenter__`` and left by ``__aexit__``, which
    ``async with`` runs in the same task. Its expiry cancels that task; leaving it turns that
    cancellation (and only that one: a task cancelled from outside stays cancelled) into the
    ``TimeoutError`` mapped here. Once expired it bounds nothing more, so the exit after an expiry
    discards the connection without a round trip.

    When the block itself finished (committed, read, or wrote nothing it kept), its outcome is
    settled: a server that then stops answering while the connection is handed back costs the
    connection (discarded), not the caller's success.

    SQLite has no such bound: a local file does not stop answering the way a network peer does, and
    its one wait, for another writer's lock, is bounded by its busy timeout.
    """

    # Typed as the ports: the UnitOfWork protocol's attributes are mutable, hence invariant.
    users: UserRepository
    contacts: ContactRepository
    refresh_sessions: RefreshSessionRepository
    conversations: ConversationRepository

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False, timeout: float | None = None) -> None:
        self._engine = engine
        self._read_only = read_only
        self._timeout = timeout
        self._connection: AsyncConnection | None = None
        self._deadline: asyncio.Timeout | None = None

    async def __aenter__(self) -> Self:
        if self._timeout is None:
            return await self._enter()
        deadline = asyncio.timeout(self._timeout)
        await deadline.__aenter__()
        try:
            await self._enter()
        except BaseException as error:
            await _leave(deadline, error)
            raise  # not reached: _leave raises
        self._deadline = deadline
        return self

    async def _enter(self) -> Self:
        try:
            connection = await self._engine.connect()
        except UNAVAILABLE as error:
            raise unavailable(error) from error
        try:
            if self._read_only:
                await connection.execution_options(**{READ_ONLY: True})
            await connection.begin()
        except BaseException as error:
            if self._timeout is not None:
                await _discard(connection)
            else:
                await connection.close()
            if isinstance(error, UNAVAILABLE):
                raise unavailable(error) from error
            raise
        self._connection = connection
        self.users = SqlUserRepository(connection)
        self.contacts = SqlContactRepository(connection)
        self.refresh_sessions = SqlRefreshSessionRepository(connection)
        self.conversations = SqlConversationRepository(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        deadline, self._deadline = self._deadline, None
        if deadline is None:
            if connection is not None:
                await self._end(connection)
            if isinstance(exc, UNAVAILABLE):
                raise unavailable(exc) from exc
            return
        error = exc
        try:
            if connection is not None:
                if deadline.expired():  # it bounds nothing more: no round trip
                    await _discard(connection)
                else:
                    await self._end_or_discard(connection)
        except BaseException as raised:
            # a cancellation while ending wins over the block's own error, as in any ``async with``:
            # the deadline's becomes DatabaseUnavailable, another stays a cancellation
            if error is None or isinstance(raised, asyncio.CancelledError):
                error = raised
        await _leave(deadline, error, settled=exc is None)

    @staticmethod
    async def _end(connection: AsyncConnection) -> None:
        try:
            if connection.in_transaction():
                await connection.rollback()
        except UNAVAILABLE as error:
            raise unavailable(error) from error
        finally:
            await connection.close()

    @staticmethod
    async def _end_or_discard(connection: AsyncConnection) -> None:
        """Roll back and return ``connection`` to the pool; when that fails or is cut off, discard it
        (a connection in an unknown state must not be reused) and re-raise."""
        try:
            if connection.in_transaction():
                await connection.rollback()
            await connection.close()
        except BaseException:
            await _discard(connection)
            raise

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside its 'async with' block")
        return self._connection

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            await self._active().commit()
        except UNAVAILABLE as error:
            raise unavailable(error) from error

    async def rollback(self) -> None:
        await self._active().rollback()


async def _discard(connection: AsyncConnection) -> None:
    """Close ``connection`` for good, without waiting on the server: invalidated, it leaves the pool.
    (A connection whose hand-back to the pool was cut off is closed already, invalidated by the pool.)"""
    if connection.closed:
        return
    await connection.invalidate()
    await connection.close()


async def _leave(deadline: asyncio.Timeout, error: BaseException | None, *, settled: bool = False) -> None:
    """Leave ``deadline`` after ``error`` (``None``: no error). A cancellation the deadline caused
    becomes ``DatabaseUnavailable``; another error, a cancellation from outside included, is raised
    as it is (an unreachable database as ``DatabaseUnavailable``). With ``settled`` (the block
    finished; only handing its connection back failed), the deadline's expiry and an unreachable
    database raise nothing: the connection is discarded by then."""
    try:
        if error is None:
            await deadline.__aexit__(None, None, None)
        else:
            await deadline.__aexit__(type(error), error, error.__traceback__)
    except TimeoutError as expired:
        if settled:
            return
        raise unavailable(expired) from expired
    if error is None:
        return
    if isinstance(error, UNAVAILABLE):
        if settled:
            return
        raise unavailable(error) from error
    raise error


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._timeout = timeout_s(engine)

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=read_only, timeout=self._timeout)

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

    With a ``timeout`` (MySQL: its driver has no read timeout), taking the connection (pre-ping
    included), committing and rolling back each give up after ``timeout`` seconds as
    ``DatabaseUnavailable`` instead of waiting for a server that stopped answering; a connection
    that timed out is discarded, never returned to the pool.
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

    async def __aenter__(self) -> Self:
        if self._timeout is None:
            return await self._enter()
        try:
            async with asyncio.timeout(self._timeout):
                return await self._enter()
        except TimeoutError as error:
            raise unavailable(error) from error

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
        if connection is None:
            return
        if self._timeout is None:
            try:
                if connection.in_transaction():
                    await connection.rollback()
            except UNAVAILABLE as error:
                raise unavailable(error) from error
            finally:
                await connection.close()
        else:
            await self._end_within(connection, self._timeout)
        if isinstance(exc, UNAVAILABLE):
            raise unavailable(exc) from exc

    @staticmethod
    async def _end_within(connection: AsyncConnection, seconds: float) -> None:
        """Roll back and return ``connection`` to the pool, or discard it when the server does not
        answer in ``seconds`` (a connection in an unknown state must not be reused)."""
        try:
            async with asyncio.timeout(seconds):
                if connection.in_transaction():
                    await connection.rollback()
                await connection.close()
        except BaseException as error:
            await connection.invalidate()
            await connection.close()
            if isinstance(error, UNAVAILABLE):
                raise unavailable(error) from error
            raise

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside its 'async with' block")
        return self._connection

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            if self._timeout is None:
                await self._active().commit()
            else:
                async with asyncio.timeout(self._timeout):
                    await self._active().commit()
        except UNAVAILABLE as error:
            raise unavailable(error) from error

    async def rollback(self) -> None:
        await self._active().rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._timeout = timeout_s(engine)

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=read_only, timeout=self._timeout)

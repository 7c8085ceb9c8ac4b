"""The ``Database`` port: the backend, its latency and pool, and the schema's migrations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.sqlalchemy import migrator
from ova.adapters.sqlalchemy.engine import database_backend, ping, pool_status
from ova.adapters.sqlalchemy.errors import UNAVAILABLE, unavailable
from ova.adapters.sqlalchemy.revision import current_revision
from ova.application.ports.database import DatabaseReport


class SqlDatabase:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._backend = database_backend(engine.url)

    @property
    def backend(self) -> str:
        return self._backend

    def head(self) -> str:
        return migrator.head()

    async def revision(self) -> str | None:
        try:
            return await current_revision(self._engine)
        except UNAVAILABLE as error:
            raise unavailable(error) from error

    async def ping(self) -> float:
        try:
            return await ping(self._engine)
        except UNAVAILABLE as error:
            raise unavailable(error) from error

    async def describe(self) -> DatabaseReport:
        latency = await self.ping()
        return DatabaseReport(backend=self._backend, latency_ms=round(latency, 2), pool=pool_status(self._engine),
                              revision=await self.revision())

    def stored_revision(self) -> str | None:
        return migrator.current(self._engine.url)

    def upgrade(self) -> str | None:
        migrator.upgrade(self._engine.url)
        return migrator.current(self._engine.url)

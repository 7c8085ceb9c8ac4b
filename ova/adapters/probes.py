"""Health probes for the database and the shared state."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.sqlalchemy.engine import database_backend, ping
from ova.application.ports.health import ProbeResult
from ova.application.ports.shared_state import SharedState


class DatabaseProbe:
    name = "database"
    critical = True

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def check(self) -> ProbeResult:
        latency = await ping(self._engine)
        return ProbeResult(status="ok", latency_ms=round(latency, 2), provider=database_backend(self._engine.url))


class SharedStateProbe:
    name = "cache"
    critical = False

    def __init__(self, state: SharedState) -> None:
        self._state = state

    async def check(self) -> ProbeResult:
        latency = await self._state.ping()
        return ProbeResult(status="ok", latency_ms=round(latency, 2), provider=self._state.backend)

"""Health probes for the database and the shared state."""

from __future__ import annotations

import attrs

from ova.adapters.ai.fallback import Fallback
from ova.application.ports.database import Database
from ova.application.ports.health import ProbeResult
from ova.application.ports.models import LocalModel, RemoteModel
from ova.application.ports.shared_state import SharedState


class DatabaseProbe:
    name = "database"
    critical = True

    def __init__(self, database: Database) -> None:
        self._database = database

    async def check(self) -> ProbeResult:
        latency = await self._database.ping()
        return ProbeResult(status="ok", latency_ms=round(latency, 2), provider=self._database.backend)


class SharedStateProbe:
    """Critical: with Redis down every authenticated request fails (revocations and account versions
    live there), so the service is down for a load balancer too. In memory it cannot fail."""

    name = "cache"
    critical = True

    def __init__(self, state: SharedState) -> None:
        self._state = state

    async def check(self) -> ProbeResult:
        latency = await self._state.ping()
        return ProbeResult(status="ok", latency_ms=round(latency, 2), provider=self._state.backend)


class ModelProbe:
    """A capability's model: ``ok`` when ready; ``degraded`` while a ``LocalModel`` loads, while a
    ``RemoteModel``'s circuit is probing again, or when a ``Fallback``'s local model stands in;
    ``down`` when the circuit is open and nothing stands in. It never runs the model (health checks
    stay cheap)."""

    critical = False

    def __init__(self, name: str, adapter: object, provider: str, *, warming_up: bool = True) -> None:
        self.name = name
        self._adapter = adapter
        self._provider = provider
        self._warming_up = warming_up

    async def check(self) -> ProbeResult:
        result = await self._check()
        return attrs.evolve(result, model=_model_of(self._adapter))

    async def _check(self) -> ProbeResult:
        adapter, standby = self._adapter, None
        if isinstance(adapter, Fallback):
            adapter, standby = adapter.remote, adapter.local
        if isinstance(adapter, RemoteModel):
            circuit = adapter.breaker.state
            status = {"closed": "ok", "half_open": "degraded"}.get(circuit, "down")
            detail = None
            if status == "down" and standby is not None:
                status, detail = "degraded", "proveedor remoto caído; responde el modelo local"
            elif status != "ok":
                detail = "circuito abierto: el proveedor remoto falla"
            return ProbeResult(status=status, latency_ms=0.0, provider=self._provider, circuit=circuit, detail=detail)
        if isinstance(adapter, LocalModel) and not adapter.loaded:
            if not self._warming_up:
                return ProbeResult(status="ok", latency_ms=0.0, provider=self._provider,
                                   detail="se carga con la primera petición")
            return ProbeResult(status="degraded", latency_ms=0.0, provider=self._provider, detail="cargando el modelo")
        return ProbeResult(status="ok", latency_ms=0.0, provider=self._provider)


def _model_of(adapter: object) -> str | None:
    """What the adapter says it runs (``model``, or for a sign recognizer the name in its ``info``,
    e.g. ``mediapipe-hands+ova-letters``), and for a remote one with a local fallback, both."""
    if isinstance(adapter, Fallback):
        remote, local = _model_of(adapter.remote), _model_of(adapter.local)
        return f"{remote} (respaldo: {local})" if remote and local else remote or local
    model = getattr(adapter, "model", None) or getattr(getattr(adapter, "info", None), "name", None)
    return str(model) if model else None

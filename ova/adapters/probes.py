"""Health probes: the database, the shared state and each capability's model."""

from __future__ import annotations

import attrs

from ova.adapters.ai.fallback import Fallback
from ova.application.ports.database import Database
from ova.application.ports.health import ProbeResult
from ova.application.ports.models import LocalModel, ReachableModel, RemoteModel
from ova.application.ports.shared_state import SharedState
from ova.domain.errors import ModelUnavailable


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
    ``down`` when the circuit is open or a ``ReachableModel``'s engine does not answer (its cached
    probe), and nothing stands in. It never runs the model (health checks stay cheap).

    ``for_readiness``: the probe ``/status/ready`` asks, critical, for which a model still loading is
    ``down`` (the process is not ready to serve chat) instead of ``degraded``."""

    def __init__(self, name: str, adapter: object, provider: str, *, warming_up: bool = True,
                 for_readiness: bool = False) -> None:
        self.name = name
        self.critical = for_readiness
        self._adapter = adapter
        self._provider = provider
        self._warming_up = warming_up
        self._loading = "down" if for_readiness else "degraded"

    async def check(self) -> ProbeResult:
        result = await self._check()
        return attrs.evolve(result, model=_model_of(self._adapter))

    async def _check(self) -> ProbeResult:
        adapter, standby = self._adapter, None
        if isinstance(adapter, Fallback):
            adapter, standby = adapter.remote, adapter.local
        if isinstance(adapter, RemoteModel):
            return await self._remote(adapter, standby)
        if isinstance(adapter, LocalModel) and not adapter.loaded:
            if not self._warming_up:  # nothing loads it before a request: waiting for it would never end
                return ProbeResult(status="ok", latency_ms=0.0, provider=self._provider,
                                   detail="se carga con la primera petición")
            return ProbeResult(status=self._loading, latency_ms=0.0, provider=self._provider,
                               detail="cargando el modelo")
        return ProbeResult(status="ok", latency_ms=0.0, provider=self._provider)

    async def _remote(self, adapter: RemoteModel, standby: object) -> ProbeResult:
        circuit = adapter.breaker.state
        status = {"closed": "ok", "half_open": "degraded"}.get(circuit, "down")
        detail = None if status == "ok" else "circuito abierto: el proveedor remoto falla"
        latency = 0.0
        if status != "down" and isinstance(adapter, ReachableModel):
            try:
                latency = await adapter.reachable()
            except ModelUnavailable as error:
                status, detail = "down", error.detail
        if status == "down" and standby is not None:
            status, detail = "degraded", "proveedor remoto caído; responde el modelo local"
        return ProbeResult(status=status, latency_ms=latency, provider=self._provider, circuit=circuit, detail=detail)


def _model_of(adapter: object) -> str | None:
    """What the adapter says it runs (``model``, or for a sign recognizer the name in its ``info``,
    e.g. ``mediapipe-hands+ova-letters``), and for a remote one with a local fallback, both."""
    if isinstance(adapter, Fallback):
        remote, local = _model_of(adapter.remote), _model_of(adapter.local)
        return f"{remote} (respaldo: {local})" if remote and local else remote or local
    model = getattr(adapter, "model", None) or getattr(getattr(adapter, "info", None), "name", None)
    return str(model) if model else None

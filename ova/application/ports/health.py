from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from attrs import field, frozen


@frozen
class ProbeResult:
    """``status`` is ``ok``, ``degraded`` or ``down``; ``model`` names the model a capability runs."""

    status: str
    latency_ms: float
    provider: str
    circuit: str | None = None
    detail: str | None = None
    model: str | None = None
    extra: Mapping[str, object] = field(factory=dict)


class HealthProbe(Protocol):
    """One dependency's health, checked cheaply. Raising counts as ``down``."""

    name: str
    critical: bool

    async def check(self) -> ProbeResult: ...

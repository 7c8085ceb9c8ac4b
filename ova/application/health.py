"""The service's health: every dependency probed at once, each within a timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence

from attrs import frozen

from ova.application.ports.health import HealthProbe, ProbeResult


@frozen
class HealthReport:
    """``down`` when a critical dependency is down; ``degraded`` when anything else is not ok."""

    status: str
    checks: Mapping[str, ProbeResult]


@frozen
class CheckHealth:
    probes: Sequence[HealthProbe]
    timeout_s: float = 2.0

    async def __call__(self) -> HealthReport:
        results = await asyncio.gather(*(self._probe(p) for p in self.probes))
        checks = {probe.name: result for probe, result in zip(self.probes, results, strict=True)}
        if any(p.critical and checks[p.name].status == "down" for p in self.probes):
            status = "down"
        elif any(r.status != "ok" for r in checks.values()):
            status = "degraded"
        else:
            status = "ok"
        return HealthReport(status=status, checks=checks)

    async def _probe(self, probe: HealthProbe) -> ProbeResult:
        started = time.perf_counter()
        try:
            return await asyncio.wait_for(probe.check(), self.timeout_s)
        except TimeoutError:
            detail = f"sin respuesta en {self.timeout_s:g} s"
        except Exception as error:  # a probe's failure is a finding, not a crash
            detail = type(error).__name__
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return ProbeResult(status="down", latency_ms=elapsed, provider="?", detail=detail)

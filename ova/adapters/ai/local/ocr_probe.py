"""The OCR capability's health: the model probe, and ``down`` naming what to install when Tesseract
or one of its languages is missing (a system package, so it can go missing after start-up)."""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

import attrs

from ova.adapters.ai.fallback import Fallback
from ova.adapters.probes import ModelProbe
from ova.application.ports.health import ProbeResult

RECHECK_S = 60.0
"""Seconds a finding about the installation is kept (each check runs ``tesseract --list-langs``)."""


@runtime_checkable
class Installed(Protocol):
    def problem(self) -> str | None:
        """What is missing on this machine (``None``: nothing)."""


class TextReaderProbe(ModelProbe):
    """``down`` with the missing program or language (and its ``apt-get`` command) as the detail
    when the local reader in use cannot run here; ``degraded`` when it only stands in for a remote one."""

    def __init__(self, name: str, adapter: object, provider: str, *, warming_up: bool = True) -> None:
        super().__init__(name, adapter, provider, warming_up=warming_up)
        self._standby = isinstance(adapter, Fallback)
        local = adapter.local if isinstance(adapter, Fallback) else adapter
        self._installed = local if isinstance(local, Installed) else None
        self._found: tuple[float, str | None] | None = None

    async def check(self) -> ProbeResult:
        result = await super().check()
        problem = self._problem()
        if problem is None:
            return result
        if self._standby:  # the remote reader answers; only its stand-in cannot
            return attrs.evolve(result, status="degraded" if result.status == "ok" else result.status,
                                detail=f"el respaldo local no puede leer: {problem}")
        return attrs.evolve(result, status="down", detail=problem)

    def _problem(self) -> str | None:
        if self._installed is None:
            return None
        now = time.monotonic()
        if self._found is None or now - self._found[0] > RECHECK_S:
            self._found = (now, self._installed.problem())
        return self._found[1]

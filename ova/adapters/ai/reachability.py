"""Whether a remote engine answers at all: one cheap request with a short deadline, its outcome kept
for a few seconds.

Readiness and health probes ask every few seconds, from every load balancer and orchestrator and for
every worker; the engine should see about one request per ``ttl_s`` from each process, never one per
probe. Probes that ask at once while a request is under way share it. A failure is kept as long as a
success: an engine that is down is not asked again and again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from ova.domain.errors import ModelUnavailable

PROBE_TIMEOUT_S = 1.5
"""The probe's own deadline: under the health check's (2 s), so that the probe says why it failed."""


class CachedReachability:
    """``ping`` is one request to the engine: it returns normally when the engine answered, raises
    ``ModelUnavailable`` (with the reason, in Spanish) when it did not. ``check()`` runs it at most
    once per ``ttl_s`` (``0``: every time) within ``timeout_s``; it returns the round trip in
    milliseconds or raises ``ModelUnavailable``."""

    def __init__(self, ping: Callable[[], Awaitable[None]], *, provider: str, ttl_s: float,
                 timeout_s: float = PROBE_TIMEOUT_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._ping = ping
        self._provider = provider
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._checked_at: float | None = None
        self._outcome: float | ModelUnavailable = 0.0
        self._running: asyncio.Future[float | ModelUnavailable] | None = None

    async def check(self) -> float:
        now = self._clock()
        if self._checked_at is None or now - self._checked_at >= self._ttl_s:
            running = self._running
            if running is None or running.done() or running.get_loop() is not asyncio.get_running_loop():
                running = self._running = asyncio.ensure_future(self._measure())
            outcome = await asyncio.shield(running)
        else:
            outcome = self._outcome
        if isinstance(outcome, ModelUnavailable):
            raise ModelUnavailable(outcome.detail)
        return outcome

    async def _measure(self) -> float | ModelUnavailable:
        started = self._clock()
        outcome: float | ModelUnavailable
        try:
            await asyncio.wait_for(self._ping(), self._timeout_s)
            outcome = round((self._clock() - started) * 1000, 2)
        except TimeoutError:
            outcome = ModelUnavailable(f"{self._provider} no responde en {self._timeout_s:g} s.")
        except ModelUnavailable as error:
            outcome = error
        except httpx.HTTPError as error:
            outcome = ModelUnavailable(f"{self._provider} no responde ({type(error).__name__}).")
        self._checked_at, self._outcome = self._clock(), outcome
        return outcome


async def answers_http(http: httpx.AsyncClient, url: str, *, provider: str, headers: dict[str, str]) -> None:
    """``GET url`` answered by the server: any status but a 5xx (a 404 is a server without that route,
    a 401 a key problem the chat's own errors report; the engine is there). ``ModelUnavailable`` if not."""
    response = await http.get(url, headers=headers)
    if response.status_code >= 500:
        raise ModelUnavailable(f"{provider} no está disponible ahora ({response.status_code}).")

"""Shared state for a single process: dictionaries and ``limits``' in-memory storage."""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from limits.aio.storage import MemoryStorage

from ova.adapters.state.rate_windows import MovingWindow
from ova.domain.rate_limits import RateDecision, RateLimit


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MemorySharedState:
    """Per-process state. ``now`` dates revocations (pass a test clock's ``now``); rate limits use
    wall time, as ``limits`` does."""

    def __init__(self, *, now: Callable[[], datetime] = _utcnow) -> None:
        self._now = now
        self._revoked: dict[str, datetime] = {}
        self._expiries: list[tuple[datetime, str]] = []  # min-heap, so expired entries leave cheaply
        self._counters: defaultdict[str, int] = defaultdict(int)
        self._leases: dict[str, tuple[float, dict[str, int]]] = {}  # holder -> (monotonic expiry, values)
        self._storage = MemoryStorage()
        self._windows = MovingWindow(self._storage)

    @property
    def backend(self) -> str:
        return "memory"

    async def revoke(self, jti: str, *, until: datetime) -> None:
        self._purge()
        if until <= self._now():
            return
        current = self._revoked.get(jti)
        if current is None or until > current:
            self._revoked[jti] = until
            heapq.heappush(self._expiries, (until, jti))

    async def revoked_and_counter(self, ids: Sequence[str], counter: str) -> tuple[bool, int]:
        return self._any_revoked(ids), self._counters.get(counter, 0)

    async def hit(self, limit: RateLimit, key: str) -> RateDecision:
        return await self._windows.hit(limit, key)

    async def peek(self, limit: RateLimit, key: str) -> RateDecision:
        return await self._windows.peek(limit, key)

    async def reset(self, limit: RateLimit, key: str) -> None:
        await self._windows.reset(limit, key)

    async def add(self, name: str, amount: int = 1) -> int:
        self._counters[name] += amount
        return self._counters[name]

    async def get_many(self, names: Sequence[str]) -> Mapping[str, int]:
        return {name: self._counters.get(name, 0) for name in names}

    async def hold(self, holder: str, values: Mapping[str, int], *, ttl_s: float) -> None:
        self._leases[holder] = (time.monotonic() + ttl_s, dict(values))

    async def release(self, holder: str) -> None:
        self._leases.pop(holder, None)

    async def held(self, names: Sequence[str]) -> Mapping[str, int]:
        now = time.monotonic()
        for holder in [h for h, (expiry, _) in self._leases.items() if expiry <= now]:
            del self._leases[holder]
        return {name: sum(values.get(name, 0) for _, values in self._leases.values()) for name in names}

    async def ping(self) -> float:
        return 0.0

    async def aclose(self) -> None:
        await self._storage.reset()
        timer = self._storage.timer
        if timer is not None and not timer.done():
            timer.cancel()

    def _any_revoked(self, ids: Sequence[str]) -> bool:
        now = self._now()
        self._purge(now)
        revoked = self._revoked
        return any((until := revoked.get(jti)) is not None and until > now for jti in ids)

    def _purge(self, now: datetime | None = None) -> None:
        now = now or self._now()
        while self._expiries and self._expiries[0][0] <= now:
            until, jti = heapq.heappop(self._expiries)
            if self._revoked.get(jti) == until:
                del self._revoked[jti]

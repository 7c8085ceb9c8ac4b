"""Moving-window rate limiting over any ``limits`` async storage, shared by both adapters."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter

from ova.domain.rate_limits import RateDecision, RateLimit


class MovingWindow:
    def __init__(self, storage: Storage) -> None:
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, limit: RateLimit, key: str) -> RateDecision:
        item = _item(limit)
        allowed = bool(await self._limiter.hit(item, key))
        return await self._decision(item, key, allowed)

    async def peek(self, limit: RateLimit, key: str) -> RateDecision:
        item = _item(limit)
        allowed = bool(await self._limiter.test(item, key))
        return await self._decision(item, key, allowed)

    async def reset(self, limit: RateLimit, key: str) -> None:
        await self._limiter.clear(_item(limit), key)

    async def _decision(self, item: RateLimitItem, key: str, allowed: bool) -> RateDecision:
        stats = await self._limiter.get_window_stats(item, key)
        remaining = max(0, int(stats.remaining))
        if allowed:
            return RateDecision(allowed=True, remaining=remaining, retry_after_s=0)
        # The window is full: a slot frees when its oldest counted event leaves the window.
        wait = math.ceil(float(stats.reset_time) - time.time())
        return RateDecision(allowed=False, remaining=0, retry_after_s=max(1, wait))


def _item(limit: RateLimit) -> RateLimitItem:
    if limit.amount < 1 or limit.period_s < 1:
        raise ValueError(f"invalid rate limit: {limit}")
    return RateLimitItemPerSecond(limit.amount, limit.period_s, namespace=limit.name)

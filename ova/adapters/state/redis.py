"""Shared state in Redis, so every worker sees the same revocations, rate limits and counters."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

import anyio
from limits.aio.storage import RedisStorage
from limits.errors import StorageError
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from ova.adapters.state.rate_windows import MovingWindow
from ova.domain.errors import DependencyUnavailable
from ova.domain.rate_limits import RateDecision, RateLimit

_T = TypeVar("_T")


class RedisSharedState:
    """Keys live under ``<key_prefix>:``; any Redis failure is ``DependencyUnavailable``, and so is an
    operation that takes longer than ``timeout_s`` in all (connecting, the one retry on a stale pooled
    connection and the command): a Redis that stops answering without closing its connections (a
    partition, a frozen host) holds a request that long at most."""

    def __init__(self, url: str, *, key_prefix: str = "ova", timeout_s: float = 2.0) -> None:
        self._prefix = key_prefix
        self._deadline_s = timeout_s
        pool = ConnectionPool.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), retries=1),
        )
        self._redis = Redis.from_pool(pool)
        storage = RedisStorage(
            _limits_uri(url),
            implementation="redispy",
            key_prefix=f"{key_prefix}:rl",
            connection_pool=pool,  # type: ignore[arg-type]  # passed through to redis, untyped in limits
        )
        self._windows = MovingWindow(storage)

    @property
    def backend(self) -> str:
        return "redis"

    async def revoke(self, jti: str, *, until: datetime) -> None:
        expire_at_ms = int(until.timestamp() * 1000)
        if expire_at_ms <= int(time.time() * 1000):
            return
        await self._guard(lambda: self._redis.set(self._key("revoked", jti), 1, pxat=expire_at_ms))

    async def revoked_and_counter(self, ids: Sequence[str], counter: str) -> tuple[bool, int]:
        # one MGET: the revocation markers, then the counter (all plain string keys)
        keys = [*(self._key("revoked", jti) for jti in ids), self._key("counter", counter)]
        values = await self._guard(lambda: self._redis.mget(keys))
        *markers, count = values
        return any(marker is not None for marker in markers), int(count or 0)

    async def hit(self, limit: RateLimit, key: str) -> RateDecision:
        return await self._guard(lambda: self._windows.hit(limit, key))

    async def peek(self, limit: RateLimit, key: str) -> RateDecision:
        return await self._guard(lambda: self._windows.peek(limit, key))

    async def reset(self, limit: RateLimit, key: str) -> None:
        await self._guard(lambda: self._windows.reset(limit, key))

    async def add(self, name: str, amount: int = 1) -> int:
        value = await self._guard(lambda: self._redis.incrby(self._key("counter", name), amount))
        return int(value)

    async def get_many(self, names: Sequence[str]) -> Mapping[str, int]:
        if not names:
            return {}
        keys = [self._key("counter", name) for name in names]
        values = await self._guard(lambda: self._redis.mget(keys))
        return {name: int(value or 0) for name, value in zip(names, values, strict=True)}

    async def hold(self, holder: str, values: Mapping[str, int], *, ttl_s: float) -> None:
        """The holder's numbers in a hash that expires, and the holder in an index scored by that expiry
        (so ``held`` reads the live ones without scanning keys)."""
        key = self._key("lease", holder)
        expires_ms = int((time.time() + ttl_s) * 1000)

        async def write() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                if values:
                    fields: dict[str | bytes, str | int] = {name: int(value) for name, value in values.items()}
                    pipe.hset(key, mapping=fields)  # type: ignore[arg-type]
                    pipe.pexpireat(key, expires_ms)
                pipe.zadd(self._key("leases", "index"), {holder: expires_ms})
                await pipe.execute()

        await self._guard(write)

    async def release(self, holder: str) -> None:
        async def remove() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._key("lease", holder))
                pipe.zrem(self._key("leases", "index"), holder)
                await pipe.execute()

        await self._guard(remove)

    async def held(self, names: Sequence[str]) -> Mapping[str, int]:
        index = self._key("leases", "index")

        async def read() -> list[list[bytes | None]]:
            now_ms = int(time.time() * 1000)
            await self._redis.zremrangebyscore(index, "-inf", now_ms)
            holders = await self._redis.zrangebyscore(index, now_ms, "+inf")
            if not holders or not names:
                return []
            async with self._redis.pipeline(transaction=False) as pipe:
                for holder in holders:
                    name = holder.decode() if isinstance(holder, bytes) else str(holder)
                    pipe.hmget(self._key("lease", name), list(names))
                result: list[list[bytes | None]] = await pipe.execute()
                return result

        rows = await self._guard(read)
        return {name: sum(int(row[i] or 0) for row in rows) for i, name in enumerate(names)}

    async def ping(self) -> float:
        started = time.perf_counter()
        await self._guard(lambda: self._redis.ping())
        return (time.perf_counter() - started) * 1000

    async def aclose(self) -> None:
        await self._redis.aclose()

    def _key(self, kind: str, name: str) -> str:
        return f"{self._prefix}:{kind}:{name}"

    async def _guard(self, operation: Callable[[], Awaitable[_T]]) -> _T:
        try:
            with anyio.fail_after(self._deadline_s):
                return await operation()
        except (RedisError, StorageError, OSError, TimeoutError) as error:
            raise DependencyUnavailable() from error


def _limits_uri(url: str) -> str:
    """``limits`` wants its own scheme; the connection itself comes from the shared pool."""
    if url.startswith("unix://"):
        return "async+redis+unix://" + url.removeprefix("unix://")
    return "async+" + url

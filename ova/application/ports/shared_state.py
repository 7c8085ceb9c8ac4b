from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from ova.domain.rate_limits import RateDecision, RateLimit


class RevocationList(Protocol):
    """Token ids revoked before their expiry. Shared by every worker when state is shared."""

    async def revoke(self, jti: str, *, until: datetime) -> None:
        """Revoke ``jti`` until ``until`` (nothing happens when that is past); ``TokenChecks`` reads it."""


class RateLimiter(Protocol):
    """Counts events per key in a moving window."""

    async def hit(self, limit: RateLimit, key: str) -> RateDecision:
        """Count one event and say whether it was within the limit."""

    async def peek(self, limit: RateLimit, key: str) -> RateDecision:
        """Say whether one more event would be allowed, without counting one."""

    async def reset(self, limit: RateLimit, key: str) -> None: ...


class Counters(Protocol):
    """Named integer counters (connections, messages), summed over workers when shared."""

    async def add(self, name: str, amount: int = 1) -> int: ...

    async def get_many(self, names: Sequence[str]) -> Mapping[str, int]: ...


class Leases(Protocol):
    """Numbers each process holds (its open connections, its answers being generated), summed over the
    processes whose lease is alive. A lease lasts ``ttl_s`` unless renewed: what a process killed
    without a word was holding stops counting by itself, instead of staying in a shared total."""

    async def hold(self, holder: str, values: Mapping[str, int], *, ttl_s: float) -> None:
        """Set ``holder``'s numbers (replacing its earlier ones) for ``ttl_s`` seconds from now."""

    async def release(self, holder: str) -> None:
        """``holder`` holds nothing any more (a process shutting down cleanly)."""

    async def held(self, names: Sequence[str]) -> Mapping[str, int]:
        """Each name's sum over the live leases (0 when none holds it)."""


class TokenChecks(Protocol):
    """What checking an access token reads on every request, in a single round trip."""

    async def revoked_and_counter(self, ids: Sequence[str], counter: str) -> tuple[bool, int]:
        """Whether any of ``ids`` (a token and its login) is revoked until later than now, and the
        value of the counter ``counter`` (as ``get_many``: 0 when never added to), read together."""


class SharedState(RevocationList, RateLimiter, Counters, Leases, TokenChecks, Protocol):
    """Everything several workers must agree on, behind one port with memory and Redis adapters."""

    @property
    def backend(self) -> str: ...

    async def ping(self) -> float:
        """Round-trip time in milliseconds; raises when the store is unreachable."""

    async def aclose(self) -> None: ...

"""Rate limits: how many events a key may cause in a period."""

from __future__ import annotations

from attrs import frozen


@frozen
class RateLimit:
    """At most ``amount`` events per ``period_s`` seconds, counted per key under ``name``."""

    name: str
    amount: int
    period_s: int


@frozen
class RateDecision:
    allowed: bool
    remaining: int
    retry_after_s: int

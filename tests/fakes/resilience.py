"""The time a remote adapter's resilience reads, under the test's control: a monotonic clock that moves
only when the test moves it (a circuit breaker's reset wait), and a sleep that records how long it was
asked to wait and returns at once (the backoff between retries)."""

from __future__ import annotations


class Clock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

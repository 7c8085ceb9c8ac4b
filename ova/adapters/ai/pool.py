"""A bounded pool for blocking inference: a few threads, a short queue, then ``Busy``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from ova.domain.errors import Busy

T = TypeVar("T")


class InferencePool:
    """At most ``workers`` calls run at once (each in a thread; model code releases the GIL) and
    ``queue`` more wait; a call beyond that raises ``Busy`` at once instead of piling up.

    A caller that goes away does not cancel the thread: its slot stays taken until the model
    returns, so the count always matches the work really in progress.
    """

    def __init__(self, name: str, *, workers: int = 1, queue: int = 4, retry_after_s: int = 2) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("workers must be at least 1 and queue at least 0")
        self.name = name
        self.workers = workers
        self.queue = queue
        self._retry_after_s = retry_after_s
        self._admitted = 0
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def in_flight(self) -> int:
        return self._admitted

    async def run(self, func: Callable[[], T]) -> T:
        if self._admitted >= self.workers + self.queue:
            raise Busy(self._retry_after_s)
        if self._limiter is None:  # belongs to the running event loop, so made on first use
            self._limiter = anyio.CapacityLimiter(self.workers)
        self._admitted += 1
        try:
            return await anyio.to_thread.run_sync(func, limiter=self._limiter)
        finally:
            self._admitted -= 1

"""Upkeep each worker runs in the background while it serves: purging expired refresh sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("ova.housekeeping")

FIRST_RUN_AFTER_S = 10.0


class Housekeeping:
    """Calls ``purge_sessions`` every ``interval_s`` seconds in a background task, the first time
    ``first_run_after_s`` after ``start`` (once start-up has settled, not a whole interval later).

    A failed run is logged and the next one comes at its time: a database that is down for a while
    must not end the loop, nor reach the server. ``interval_s <= 0`` runs nothing. With several
    workers each runs its own loop, which is harmless: the purge deletes what is left and is cheap
    when nothing is. The container provides it; the app's lifespan calls ``start`` after start-up
    and ``stop`` before the container's resources are closed.
    """

    def __init__(
        self,
        purge_sessions: Callable[[], Awaitable[int]],
        *,
        interval_s: float,
        first_run_after_s: float = FIRST_RUN_AFTER_S,
    ) -> None:
        self._purge_sessions = purge_sessions
        self._interval_s = interval_s
        self._first_run_after_s = min(first_run_after_s, interval_s)
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop on the running event loop; nothing when it runs already or is turned off."""
        if self._interval_s <= 0 or self.running:
            return
        self._task = asyncio.create_task(self._loop(), name="ova-housekeeping")

    async def stop(self) -> None:
        """Cancel the loop (a purge under way is rolled back) and wait until it has ended."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.wait([task])

    async def run_once(self) -> None:
        """One purge; an error is logged, not raised."""
        try:
            deleted = await self._purge_sessions()
        except Exception:
            log.exception("purging expired refresh sessions failed; the next run tries again",
                          next_run_in_s=self._interval_s)
            return
        if deleted:
            log.info("expired refresh sessions purged", deleted=deleted)

    async def _loop(self) -> None:
        await asyncio.sleep(self._first_run_after_s)
        while True:
            await self.run_once()
            await asyncio.sleep(self._interval_s)

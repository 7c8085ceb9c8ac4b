"""The open chat sessions of this process, so that shutdown can close them properly, and the one
watchdog task that enforces their idle and send timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol


class OpenSession(Protocol):
    def overdue(self, now: float) -> None:
        """Called about once a ``tick_s`` with ``time.monotonic()``: the session gives up on a client
        that stopped reading or writing."""
        ...

    async def shutdown(self, grace_s: float) -> None:
        """Let the answer in progress finish for up to ``grace_s`` seconds, then close."""
        ...


class ChatRegistry:
    def __init__(self, tick_s: float = 1.0) -> None:
        self._sessions: set[OpenSession] = set()
        self.closing = False
        self._tick_s = tick_s
        self._watchdog: asyncio.Task[None] | None = None
        self._emptied = asyncio.Event()

    def __len__(self) -> int:
        return len(self._sessions)

    def add(self, session: OpenSession) -> None:
        self._sessions.add(session)
        if self._watchdog is None:
            self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        try:
            while self._sessions:
                await asyncio.sleep(self._tick_s)
                now = time.monotonic()
                for session in list(self._sessions):
                    session.overdue(now)
        finally:
            self._watchdog = None

    def discard(self, session: OpenSession) -> None:
        self._sessions.discard(session)
        if not self._sessions:
            self._emptied.set()

    async def close_all(self, grace_s: float, *, wait_s: float = 5.0) -> None:
        """Answers in progress get ``grace_s`` seconds to finish, then are cancelled; every session
        closes (with 1012, service restart, which tells the client to reconnect). Returns once every
        session has ended (or after ``wait_s`` more seconds), so that what they count is counted."""
        self.closing = True
        sessions = list(self._sessions)
        if not sessions:
            return
        self._emptied.clear()
        await asyncio.gather(*(s.shutdown(grace_s) for s in sessions), return_exceptions=True)
        if self._sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._emptied.wait(), timeout=wait_s)


def watchdog_tick_s(send_timeout_s: float, idle_timeout_s: float) -> float:
    """Often enough that neither timeout is overrun by more than half of itself, at most once a second."""
    return min(1.0, send_timeout_s / 2, idle_timeout_s / 2)

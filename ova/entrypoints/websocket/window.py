"""A count of recent events over a sliding window, for the chat's per-connection limits."""

from __future__ import annotations

import bisect


class SlidingWindow:
    """Times of events in the last ``seconds``. A list, not a deque: an empty list allocates
    nothing, and 10,000 idle connections hold two each."""

    __slots__ = ("_seconds", "_times")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._times: list[float] = []

    def count(self, now: float) -> int:
        """Events in the window ending at ``now`` (older ones are forgotten)."""
        del self._times[: bisect.bisect_left(self._times, now - self._seconds)]
        return len(self._times)

    def add(self, now: float) -> None:
        self._times.append(now)

    def free_in(self, now: float) -> float:
        """Seconds until the oldest event leaves the window (0 when the window is empty)."""
        return max(0.0, self._times[0] + self._seconds - now) if self._times else 0.0

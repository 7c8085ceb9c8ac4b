"""How long each of the hand finder's looks takes on this machine, as it runs: a running estimate.

The finder keeps, per look, the median of its last few measured times. A median shrugs off the one
slow first call of a detector (its graph being built) and a moment of load from another process,
and follows a lasting change (a busier or a faster machine) within a few calls. A look never
measured yet is expected to cost nothing, so it is tried, and measured, the first time it is reached.
"""

from __future__ import annotations

import statistics
from collections import deque


class LookTimes:
    """Each look's expected milliseconds: the median of its last ``window`` measured times."""

    def __init__(self, window: int = 9) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self._window = window
        self._times: dict[str, deque[float]] = {}

    def expected_ms(self, look: str) -> float:
        """What ``look`` is expected to take; 0.0 while it has never been measured."""
        times = self._times.get(look)
        return statistics.median(times) if times else 0.0

    def record(self, look: str, ms: float) -> None:
        """One measured run of ``look``."""
        self._times.setdefault(look, deque(maxlen=self._window)).append(ms)

    def fits(self, look: str, spent_ms: float, budget_ms: float) -> bool:
        """Whether running ``look`` after ``spent_ms`` is expected to stay within ``budget_ms``."""
        return spent_ms + self.expected_ms(look) <= budget_ms

"""How long each of the hand finder's later looks is expected to take on a photo: a running estimate.

A look's time is kept as a ratio to the first look's time on the same photo (the median of its last
few ratios). The first look runs on every photo, so its time there says how large the photo is and how
busy the machine is right now; a later look is expected to take its usual ratio of that. Kept as
ratios, the estimates follow a machine that gets busier or quieter even for a look that has been
skipped for a while, and a median shrugs off a moment of load from another process. A look with fewer
than ``tries`` measurements is expected to cost nothing, so it is tried (and measured) when reached.
"""

from __future__ import annotations

import statistics
from collections import deque


class LookTimes:
    """Each later look's time as a share of the first look's: the median of its last ``window`` ratios."""

    def __init__(self, window: int = 9, tries: int = 3) -> None:
        if window < 1 or not 1 <= tries <= window:
            raise ValueError("window must be at least 1, and tries between 1 and window")
        self._window = window
        self._tries = tries
        self._ratios: dict[str, deque[float]] = {}

    def record(self, look: str, ms: float, first_ms: float) -> None:
        """One run of ``look`` that took ``ms`` on a photo on which the first look took ``first_ms``."""
        self._ratios.setdefault(look, deque(maxlen=self._window)).append(ms / max(first_ms, 1e-3))

    def expected_ms(self, look: str, first_ms: float) -> float:
        """What ``look`` is expected to take on a photo on which the first look took ``first_ms``;
        0.0 while it has been measured fewer than ``tries`` times."""
        ratios = self._ratios.get(look)
        if ratios is None or len(ratios) < self._tries:
            return 0.0
        return statistics.median(ratios) * first_ms

    def fits(self, look: str, first_ms: float, spent_ms: float, budget_ms: float) -> bool:
        """Whether running ``look`` after ``spent_ms`` is expected to stay within ``budget_ms``."""
        return spent_ms + self.expected_ms(look, first_ms) <= budget_ms

"""The hand finder keeps to a time budget per photo, using what each look has taken so far."""

from __future__ import annotations

import numpy as np
import pytest

from ova.adapters.ai.local.hand_finder import Detection, Detector, HandFinder, Look
from ova.adapters.ai.local.look_times import LookTimes

LOOKS = (Look("first", "first"), Look("slow", "slow"), Look("quick", "quick"))
PHOTO = np.zeros((10, 10, 3), np.uint8)


class FakeClock:
    """Seconds that pass only when a fake detector says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeDetectors:
    """Detectors named as the looks: each takes its own milliseconds on the fake clock and finds a hand
    when told to; they record which ran."""

    def __init__(self, clock: FakeClock, ms: dict[str, float]) -> None:
        self.clock = clock
        self.ms = dict(ms)
        self.finds: set[str] = set()
        self.ran: list[str] = []

    def __getitem__(self, name: str) -> Detector:
        def detect(pixels: np.ndarray) -> Detection:
            self.ran.append(name)
            self.clock.now += self.ms[name] / 1000
            return [(np.zeros((21, 3), np.float32), "Left")] if name in self.finds else []
        return detect

    def as_dict(self) -> dict[str, Detector]:
        return {name: self[name] for name in self.ms}


def _finder(ms: dict[str, float], budget_ms: float) -> tuple[HandFinder, FakeDetectors]:
    clock = FakeClock()
    detectors = FakeDetectors(clock, ms)
    return HandFinder(detectors.as_dict(), looks=LOOKS, budget_ms=budget_ms, clock=clock), detectors


def test_looks_never_measured_are_tried_and_measured() -> None:
    finder, detectors = _finder({"first": 20, "slow": 25, "quick": 10}, budget_ms=50)

    assert finder.find(PHOTO) == []

    assert detectors.ran == ["first", "slow", "quick"]
    assert [finder.times.expected_ms(look.name) for look in LOOKS] == pytest.approx([20, 25, 10])


def test_a_look_expected_to_pass_the_budget_is_skipped_and_a_cheaper_one_after_it_runs() -> None:
    finder, detectors = _finder({"first": 20, "slow": 40, "quick": 10}, budget_ms=50)
    finder.find(PHOTO)  # first, slow (never measured: tried); then 60 ms spent, so quick is left out
    finder.find(PHOTO)  # first; slow is now known to pass the budget; quick, never measured, is tried
    detectors.ran.clear()

    assert finder.find(PHOTO) == []

    assert detectors.ran == ["first", "quick"]  # 20 + 40 > 50, 20 + 10 ≤ 50


def test_the_first_look_runs_even_when_it_alone_passes_the_budget() -> None:
    finder, detectors = _finder({"first": 80, "slow": 40, "quick": 10}, budget_ms=50)
    detectors.finds = {"first"}
    finder.find(PHOTO)
    detectors.ran.clear()

    hands = finder.find(PHOTO)

    assert [hand.look for hand in hands] == ["first"]
    assert detectors.ran == ["first"]


def test_a_hand_found_ends_the_search_within_the_budget() -> None:
    finder, detectors = _finder({"first": 20, "slow": 25, "quick": 10}, budget_ms=50)
    detectors.finds = {"slow", "quick"}

    hands = finder.find(PHOTO)

    assert [hand.look for hand in hands] == ["slow"]
    assert detectors.ran == ["first", "slow"]


def test_without_a_budget_every_look_runs_however_slow() -> None:
    finder, detectors = _finder({"first": 200, "slow": 400, "quick": 100}, budget_ms=0)
    for _ in range(3):
        finder.find(PHOTO)

    assert detectors.ran == ["first", "slow", "quick"] * 3


def test_a_machine_that_gets_slower_skips_more_looks_and_one_that_gets_faster_takes_them_again() -> None:
    finder, detectors = _finder({"first": 20, "slow": 25, "quick": 10}, budget_ms=60)
    for _ in range(5):
        finder.find(PHOTO)
    assert detectors.ran[-3:] == ["first", "slow", "quick"]

    detectors.ms["first"] = 40  # busier: first + slow now pass 60
    for _ in range(5):
        finder.find(PHOTO)
    detectors.ran.clear()
    finder.find(PHOTO)
    assert detectors.ran == ["first", "quick"]

    detectors.ms["first"] = 15  # idle again: the first look's estimate follows
    for _ in range(9):
        finder.find(PHOTO)
    detectors.ran.clear()
    finder.find(PHOTO)
    assert detectors.ran == ["first", "slow", "quick"]


def test_one_slow_call_does_not_move_the_estimate() -> None:
    times = LookTimes(window=5)
    for ms in (20, 21, 2500, 19, 20):
        times.record("plain", ms)

    assert times.expected_ms("plain") == 20


def test_the_estimate_is_the_median_of_the_last_measurements() -> None:
    times = LookTimes(window=3)
    for ms in (10, 10, 10, 30, 31, 32):
        times.record("plain", ms)

    assert times.expected_ms("plain") == 31
    assert times.expected_ms("never-run") == 0.0
    assert times.fits("plain", spent_ms=19, budget_ms=50)
    assert not times.fits("plain", spent_ms=20, budget_ms=50)


def test_a_negative_budget_or_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="budget"):
        HandFinder({}, budget_ms=-1)
    with pytest.raises(ValueError, match="window"):
        LookTimes(window=0)

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

    def detector(self, name: str) -> Detector:
        def detect(pixels: np.ndarray) -> Detection:
            self.ran.append(name)
            self.clock.now += self.ms[name] / 1000
            return [(np.zeros((21, 3), np.float32), "Left")] if name in self.finds else []
        return detect


def _finder(ms: dict[str, float], budget_ms: float, tries: int = 1) -> tuple[HandFinder, FakeDetectors]:
    clock = FakeClock()
    fakes = FakeDetectors(clock, ms)
    detectors = {name: fakes.detector(name) for name in ms}
    return HandFinder(detectors, looks=LOOKS, budget_ms=budget_ms, clock=clock, times=LookTimes(tries=tries)), fakes


def _ran_on_next_photo(finder: HandFinder, fakes: FakeDetectors) -> list[str]:
    fakes.ran.clear()
    finder.find(PHOTO)
    return list(fakes.ran)


def test_looks_measured_fewer_times_than_their_tries_are_tried_and_measured() -> None:
    finder, fakes = _finder({"first": 20, "slow": 25, "quick": 10}, budget_ms=50, tries=2)

    assert _ran_on_next_photo(finder, fakes) == ["first", "slow", "quick"]  # 55 ms: nothing known yet
    assert finder.times.expected_ms("slow", first_ms=20) == 0.0
    assert _ran_on_next_photo(finder, fakes) == ["first", "slow", "quick"]
    assert finder.times.expected_ms("slow", first_ms=20) == pytest.approx(25)
    assert finder.times.expected_ms("quick", first_ms=20) == pytest.approx(10)


def test_a_look_expected_to_pass_the_budget_is_skipped_and_a_cheaper_one_after_it_runs() -> None:
    finder, fakes = _finder({"first": 20, "slow": 40, "quick": 10}, budget_ms=50)
    _ran_on_next_photo(finder, fakes)  # first, slow (tried: never measured); 60 ms spent, so not quick
    _ran_on_next_photo(finder, fakes)  # first; slow is known to pass the budget; quick is tried

    assert _ran_on_next_photo(finder, fakes) == ["first", "quick"]  # 20 + 40 > 50, 20 + 10 ≤ 50


def test_the_first_look_runs_even_when_it_alone_passes_the_budget() -> None:
    finder, fakes = _finder({"first": 80, "slow": 40, "quick": 10}, budget_ms=50)
    fakes.finds = {"first"}

    hands = finder.find(PHOTO)

    assert [hand.look for hand in hands] == ["first"]
    assert fakes.ran == ["first"]


def test_the_first_look_that_finds_a_hand_ends_the_search() -> None:
    finder, fakes = _finder({"first": 20, "slow": 25, "quick": 5}, budget_ms=50)
    fakes.finds = {"slow", "quick"}

    hands = finder.find(PHOTO)

    assert [hand.look for hand in hands] == ["slow"]
    assert fakes.ran == ["first", "slow"]


def test_without_a_budget_every_look_runs_however_slow() -> None:
    finder, fakes = _finder({"first": 200, "slow": 400, "quick": 100}, budget_ms=0)

    assert [_ran_on_next_photo(finder, fakes) for _ in range(3)] == [["first", "slow", "quick"]] * 3


def test_a_busier_machine_skips_more_looks_and_a_quieter_one_takes_them_again() -> None:
    """The first look's time on the photo says how busy the machine is: a later look is expected to
    take its usual share of it, even when it has not run for a while."""
    finder, fakes = _finder({"first": 20, "slow": 25, "quick": 10}, budget_ms=65)
    assert [_ran_on_next_photo(finder, fakes) for _ in range(3)] == [["first", "slow", "quick"]] * 3

    fakes.ms = {"first": 40, "slow": 50, "quick": 20}  # twice as busy: 40 + 50 > 65, 40 + 20 ≤ 65
    assert _ran_on_next_photo(finder, fakes) == ["first", "quick"]

    fakes.ms = {"first": 20, "slow": 25, "quick": 10}  # quiet again: slow was skipped, yet is taken
    assert _ran_on_next_photo(finder, fakes) == ["first", "slow", "quick"]


def test_one_slow_call_does_not_move_the_estimate() -> None:
    times = LookTimes(window=5, tries=1)
    for ms in (30, 31, 2500, 29, 30):
        times.record("padded", ms, first_ms=20)

    assert times.expected_ms("padded", first_ms=20) == 30


def test_the_estimate_is_the_last_ratios_median_times_the_first_looks_time() -> None:
    times = LookTimes(window=3, tries=3)
    for ms in (10, 10, 10, 30, 31, 32):
        times.record("padded", ms, first_ms=20)

    assert times.expected_ms("padded", first_ms=20) == pytest.approx(31)
    assert times.expected_ms("padded", first_ms=40) == pytest.approx(62)
    assert times.expected_ms("never-run", first_ms=20) == 0.0
    assert times.fits("padded", first_ms=20, spent_ms=19, budget_ms=50)
    assert not times.fits("padded", first_ms=20, spent_ms=20, budget_ms=50)


def test_a_negative_budget_or_an_impossible_window_is_refused() -> None:
    with pytest.raises(ValueError, match="budget"):
        HandFinder({}, budget_ms=-1)
    with pytest.raises(ValueError, match="window"):
        LookTimes(window=0)
    with pytest.raises(ValueError, match="tries"):
        LookTimes(window=3, tries=4)

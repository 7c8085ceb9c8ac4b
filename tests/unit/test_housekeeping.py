"""The housekeeping loop: it purges periodically, survives a failed purge, and stops cleanly."""

from __future__ import annotations

import asyncio

from structlog.testing import capture_logs

from ova.bootstrap.housekeeping import Housekeeping

PATIENCE_S = 30  # only a guard against a hung test: every wait below ends as soon as its event happens


class FakePurge:
    """Counts its calls, fails the ones listed, and lets a test wait for the n-th call."""

    def __init__(self, *, failing: frozenset[int] = frozenset()) -> None:
        self.calls = 0
        self._failing = failing
        self._called = asyncio.Condition()

    async def __call__(self) -> int:
        self.calls += 1
        async with self._called:
            self._called.notify_all()
        if self.calls in self._failing:
            raise ConnectionError("database down")
        return 2

    async def wait_for_calls(self, count: int) -> None:
        async with self._called:
            await asyncio.wait_for(self._called.wait_for(lambda: self.calls >= count), PATIENCE_S)


async def test_the_purge_runs_periodically_until_stopped() -> None:
    purge = FakePurge()
    housekeeping = Housekeeping(purge, interval_s=0.001, first_run_after_s=0)

    housekeeping.start()
    housekeeping.start()  # a second start does not start a second loop
    await purge.wait_for_calls(3)
    await housekeeping.stop()
    calls_at_stop = purge.calls
    for _ in range(5):
        await asyncio.sleep(0.002)

    assert not housekeeping.running
    assert purge.calls == calls_at_stop
    await housekeeping.stop()  # stopping twice is harmless


async def test_a_failed_purge_is_logged_and_the_next_one_still_runs() -> None:
    purge = FakePurge(failing=frozenset({1}))
    housekeeping = Housekeeping(purge, interval_s=0.001, first_run_after_s=0)

    with capture_logs() as logs:
        housekeeping.start()
        await purge.wait_for_calls(3)
        await housekeeping.stop()

    failures = [entry for entry in logs if entry["log_level"] == "error"]
    assert len(failures) == 1 and "purging expired refresh sessions failed" in failures[0]["event"]
    assert any(entry.get("deleted") == 2 for entry in logs)


async def test_the_first_run_comes_before_a_whole_interval() -> None:
    purge = FakePurge()
    housekeeping = Housekeeping(purge, interval_s=3600, first_run_after_s=0)

    housekeeping.start()
    await purge.wait_for_calls(1)
    await housekeeping.stop()

    assert purge.calls == 1


async def test_stopping_before_the_first_run_runs_nothing() -> None:
    purge = FakePurge()
    housekeeping = Housekeeping(purge, interval_s=3600)

    housekeeping.start()
    assert housekeeping.running
    await housekeeping.stop()

    assert not housekeeping.running and purge.calls == 0


async def test_an_interval_of_zero_turns_the_purge_off() -> None:
    housekeeping = Housekeeping(FakePurge(), interval_s=0)

    housekeeping.start()

    assert not housekeeping.running

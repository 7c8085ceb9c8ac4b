"""The password hasher's bounded queue: ``max_concurrency`` hashes run, ``max_waiting`` more wait,
and the next one is refused at once with ``Busy`` instead of queueing without bound."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from ova.adapters.security import Argon2PasswordHasher
from ova.domain.errors import Busy

CHEAP = {"time_cost": 1, "memory_kib": 8192, "parallelism": 1}


class _GatedHasher(Argon2PasswordHasher):
    """Each hash blocks in its worker thread until the test opens the gate."""

    def __init__(self, *, max_concurrency: int, max_waiting: int, retry_after_s: int = 1) -> None:
        super().__init__(**CHEAP, max_concurrency=max_concurrency, max_waiting=max_waiting,
                         retry_after_s=retry_after_s)
        self.gate = threading.Event()
        self._lock = threading.Lock()
        self.running = 0

    def _hash_sync(self, password: str) -> str:
        with self._lock:
            self.running += 1
        try:
            if not self.gate.wait(timeout=30):
                raise RuntimeError("the test never opened the gate")
            return super()._hash_sync(password)
        finally:
            with self._lock:
                self.running -= 1


async def _until(condition: Callable[[], bool]) -> None:
    """Yield to the loop until ``condition()`` holds (the threads report through it)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never held")


async def _fill(hasher: _GatedHasher, running: int, waiting: int) -> list[asyncio.Task[str]]:
    tasks = [asyncio.create_task(hasher.hash(f"password-{n}")) for n in range(running + waiting)]
    await _until(lambda: hasher.running == running and hasher.in_flight == running + waiting)
    return tasks


async def test_a_hash_past_the_running_and_waiting_ones_is_refused_with_busy() -> None:
    hasher = _GatedHasher(max_concurrency=2, max_waiting=3, retry_after_s=7)
    tasks = await _fill(hasher, running=2, waiting=3)

    with pytest.raises(Busy) as refused:
        await hasher.hash("one too many")

    assert refused.value.retry_after_s == 7 and refused.value.code == "busy"
    assert hasher.in_flight == 5, "a refused hash takes no place"
    hasher.gate.set()
    hashes = await asyncio.gather(*tasks)
    assert all(h.startswith("$argon2id$") for h in hashes), "the admitted hashes all complete"


async def test_verifications_count_against_the_same_bound() -> None:
    hasher = _GatedHasher(max_concurrency=1, max_waiting=1)
    tasks = await _fill(hasher, running=1, waiting=1)

    with pytest.raises(Busy):
        await hasher.verify("correct horse battery", "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaA")
    with pytest.raises(Busy):
        await hasher.verify("unknown account", None)

    hasher.gate.set()
    await asyncio.gather(*tasks)


async def test_no_waiting_place_refuses_the_second_hash_while_one_runs() -> None:
    hasher = _GatedHasher(max_concurrency=1, max_waiting=0)
    tasks = await _fill(hasher, running=1, waiting=0)

    with pytest.raises(Busy):
        await hasher.hash("second")

    hasher.gate.set()
    await asyncio.gather(*tasks)


async def test_places_are_given_back_once_hashes_end() -> None:
    hasher = _GatedHasher(max_concurrency=1, max_waiting=1)
    tasks = await _fill(hasher, running=1, waiting=1)
    hasher.gate.set()
    await asyncio.gather(*tasks)

    assert hasher.in_flight == 0
    again = await asyncio.gather(hasher.hash("a"), hasher.hash("b"))
    assert len(again) == 2


async def test_a_waiter_that_is_cancelled_gives_its_place_back() -> None:
    hasher = _GatedHasher(max_concurrency=1, max_waiting=1)
    running, waiting = await _fill(hasher, running=1, waiting=1)

    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert hasher.in_flight == 1
    replacement = asyncio.create_task(hasher.hash("replacement"))
    await _until(lambda: hasher.in_flight == 2)

    hasher.gate.set()
    await asyncio.gather(running, replacement)
    assert hasher.in_flight == 0


def test_a_negative_queue_is_refused() -> None:
    with pytest.raises(ValueError, match="max_waiting"):
        Argon2PasswordHasher(max_waiting=-1)

from __future__ import annotations

import threading

import anyio
import pytest

from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import Busy


async def test_calls_beyond_workers_and_queue_are_refused_at_once() -> None:
    pool = InferencePool("test", workers=1, queue=1)
    release = threading.Event()
    started = threading.Event()

    def blocking() -> str:
        started.set()
        release.wait(10)
        return "done"

    results: list[str] = []

    async def call() -> None:
        results.append(await pool.run(blocking))

    async with anyio.create_task_group() as group:
        group.start_soon(call)
        group.start_soon(call)
        await anyio.to_thread.run_sync(started.wait, 10)
        while pool.in_flight < 2:  # noqa: ASYNC110 - the counter moves on worker threads, not via events
            await anyio.sleep(0.001)
        with pytest.raises(Busy) as busy:
            await pool.run(lambda: "never")
        assert busy.value.retry_after_s >= 1
        release.set()
    assert results == ["done", "done"]
    assert pool.in_flight == 0


async def test_no_more_than_workers_run_at_the_same_time() -> None:
    pool = InferencePool("test", workers=2, queue=10)
    lock = threading.Lock()
    running = 0
    most = 0

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        threading.Event().wait(0.01)
        with lock:
            running -= 1

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(pool.run, work)
    assert most == 2


async def test_the_event_loop_keeps_running_while_a_model_works() -> None:
    pool = InferencePool("test", workers=1, queue=0)
    done = threading.Event()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await anyio.sleep(0.001)

    async with anyio.create_task_group() as group:
        group.start_soon(ticker)
        await pool.run(lambda: done.wait(0.2))
        done.set()
    assert ticks > 10


async def test_an_error_in_the_model_frees_the_slot() -> None:
    pool = InferencePool("test", workers=1, queue=0)

    def fail() -> None:
        raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError):
        await pool.run(fail)
    assert await pool.run(lambda: 3) == 3

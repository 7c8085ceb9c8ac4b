"""The lazy loader every local model composes: once, thread-safe, and a failure is tried again."""

from __future__ import annotations

import threading
import time

import pytest

from ova.adapters.ai.local.lazy import Lazy
from ova.application.ports.models import LocalModel
from ova.domain.errors import ModelUnavailable


def test_it_builds_nothing_until_first_needed_then_keeps_what_it_built() -> None:
    builds: list[object] = []

    def build() -> object:
        builds.append(object())
        return builds[-1]

    lazy = Lazy(build)
    assert not lazy.loaded and builds == []

    first = lazy.get()
    lazy.load()

    assert lazy.loaded and builds == [first] and lazy.get() is first


def test_threads_that_need_it_at_once_wait_for_one_build() -> None:
    calls: list[int] = []

    def slow_build() -> int:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it is building
        return len(calls)

    lazy = Lazy(slow_build)
    got: list[int] = []
    threads = [threading.Thread(target=lambda: got.append(lazy.get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert calls == [1] and got == [1] * 8


def test_a_failed_build_keeps_nothing_and_is_tried_again_on_next_use() -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ModelUnavailable("not there yet")
        return "model"

    lazy = Lazy(flaky)
    with pytest.raises(ModelUnavailable):
        lazy.load()
    assert not lazy.loaded

    assert lazy.get() == "model" and lazy.loaded and len(attempts) == 2


def test_a_build_that_returns_none_still_counts_as_built() -> None:
    calls: list[int] = []
    lazy = Lazy(lambda: calls.append(1))
    lazy.load()
    lazy.load()
    assert lazy.loaded and calls == [1]


def test_it_is_a_local_model_so_adapters_can_hand_it_on() -> None:
    assert isinstance(Lazy(object), LocalModel)

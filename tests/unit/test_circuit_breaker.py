from __future__ import annotations

import httpx
import pytest

from ova.adapters.ai.resilience import CircuitBreaker, RemoteCallError, call_with_resilience
from ova.domain.errors import ModelUnavailable, UnreadableMedia
from tests.fakes.resilience import Clock, Sleeps


@pytest.fixture
def clock() -> Clock:
    return Clock(now=1000.0)


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("Proveedor X", failure_threshold=3, reset_after_s=30, clock=clock)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.record_failure()


def test_opens_after_the_threshold_of_consecutive_failures(breaker: CircuitBreaker) -> None:
    fail(breaker, 2)
    assert breaker.state == "closed"
    breaker.record_success()
    fail(breaker, 2)
    assert breaker.state == "closed"  # the success reset the count
    fail(breaker, 1)
    assert breaker.state == "open"


def test_refuses_while_open_with_the_seconds_left(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 10.2
    with pytest.raises(ModelUnavailable) as caught:
        breaker.before_call()
    assert caught.value.retry_after_s == 20
    assert "Proveedor X" in caught.value.detail


def test_half_open_lets_exactly_one_probe_through(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 30
    assert breaker.state == "half_open"
    breaker.before_call()  # the probe
    with pytest.raises(ModelUnavailable):
        breaker.before_call()  # a concurrent caller during the probe
    assert breaker.state == "half_open"


def test_a_successful_probe_closes(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 31
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    fail(breaker, 2)
    assert breaker.state == "closed"  # the count starts again from zero


def test_a_failed_probe_reopens_for_a_full_period(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 31
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now += 29
    with pytest.raises(ModelUnavailable):
        breaker.before_call()
    clock.now += 1
    breaker.before_call()


def test_a_cancelled_probe_gives_the_probe_back(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 30
    breaker.before_call()
    breaker.release()
    breaker.before_call()


async def test_retries_transient_errors_then_counts_one_failure(breaker: CircuitBreaker) -> None:
    sleeps, calls = Sleeps(), []

    async def operation() -> str:
        calls.append(1)
        raise httpx.ConnectError("refused")

    with pytest.raises(ModelUnavailable) as caught:
        await call_with_resilience(operation, breaker=breaker, timeout_s=10, sleep=sleeps, max_attempts=3)
    assert len(calls) == 3
    assert len(sleeps.waits) == 2
    assert sleeps.waits[1] >= 1.0  # exponential: 0.5·2 + jitter
    assert not isinstance(caught.value.__cause__, ModelUnavailable)
    assert breaker.state == "closed"
    fail(breaker, 2)
    assert breaker.state == "open"  # the three attempts were one failure


async def test_honours_the_providers_wait_and_gives_up_when_it_does_not_fit(breaker: CircuitBreaker) -> None:
    sleeps = Sleeps()
    replies = [RemoteCallError("cargando", status=503, retryable=True, retry_after_s=2.5)]

    async def operation() -> str:
        if replies:
            raise replies.pop()
        return "ok"

    assert await call_with_resilience(operation, breaker=breaker, timeout_s=10, sleep=sleeps) == "ok"
    assert sleeps.waits == [2.5]

    async def long_loading() -> str:
        raise RemoteCallError("cargando", status=503, retryable=True, retry_after_s=40)

    with pytest.raises(ModelUnavailable) as caught:
        await call_with_resilience(long_loading, breaker=breaker, timeout_s=10, sleep=sleeps)
    assert sleeps.waits == [2.5]  # no pointless wait past the deadline
    assert caught.value.retry_after_s == 40


async def test_domain_errors_pass_through_without_retry(breaker: CircuitBreaker) -> None:
    calls = []

    async def operation() -> str:
        calls.append(1)
        raise UnreadableMedia("bad audio")

    with pytest.raises(UnreadableMedia):
        await call_with_resilience(operation, breaker=breaker, timeout_s=10, sleep=Sleeps())
    assert calls == [1]


async def test_an_open_breaker_refuses_before_the_operation(breaker: CircuitBreaker) -> None:
    fail(breaker, 3)
    calls = []

    async def operation() -> str:
        calls.append(1)
        return "ok"

    with pytest.raises(ModelUnavailable):
        await call_with_resilience(operation, breaker=breaker, timeout_s=10, sleep=Sleeps())
    assert calls == []

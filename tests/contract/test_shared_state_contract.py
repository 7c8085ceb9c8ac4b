"""One set of assertions for every SharedState adapter: in memory and over Redis."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from ova.adapters.state import MemorySharedState, RedisSharedState
from ova.application.ports.shared_state import SharedState
from ova.domain.errors import DependencyUnavailable
from ova.domain.rate_limits import RateLimit
from tests.fakes.clock import FakeClock

REDIS_URL = os.environ.get("OVA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"

LOGIN = RateLimit(name="login", amount=3, period_s=60)


def _redis_unavailable_reason() -> str | None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} is unreachable: {error}"
    finally:
        client.close()
    return None


@pytest.fixture(scope="session")
def redis_url() -> str:
    reason = _redis_unavailable_reason()
    if reason is not None:
        if os.environ.get("OVA_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason} (OVA_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A fresh key prefix per test; every key under it is deleted afterwards."""
    prefix = f"ova-test-{secrets.token_hex(6)}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def state(request: pytest.FixtureRequest) -> AsyncIterator[SharedState]:
    adapter: SharedState
    if request.param == "memory":
        adapter = MemorySharedState()
    else:
        prefix: str = request.getfixturevalue("redis_prefix")
        adapter = RedisSharedState(request.getfixturevalue("redis_url"), key_prefix=prefix)
    yield adapter
    await adapter.aclose()


@pytest.fixture
async def redis_pair(redis_url: str, redis_prefix: str) -> AsyncIterator[tuple[SharedState, SharedState]]:
    """Two adapters on the same Redis and prefix, as two workers would have."""
    first = RedisSharedState(redis_url, key_prefix=redis_prefix)
    second = RedisSharedState(redis_url, key_prefix=redis_prefix)
    yield first, second
    await first.aclose()
    await second.aclose()


def _in(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def is_revoked(state: SharedState, *ids: str) -> bool:
    """The revocation half of ``revoked_and_counter``, the only way the service reads revocations."""
    revoked, _ = await state.revoked_and_counter(ids, "unused")
    return revoked


async def test_revoked_jti_is_reported_revoked(state: SharedState) -> None:
    await state.revoke("jti-1", until=_in(60))

    assert await is_revoked(state, "jti-1")


async def test_unknown_jti_is_not_revoked(state: SharedState) -> None:
    await state.revoke("jti-1", until=_in(60))

    assert not await is_revoked(state, "jti-2")


async def test_several_ids_are_revoked_when_any_of_them_is(state: SharedState) -> None:
    await state.revoke("family:f1", until=_in(60))

    assert await is_revoked(state, "jti-9", "family:f1")
    assert not await is_revoked(state, "jti-9", "family:f2")
    assert not await is_revoked(state)


async def test_revocations_and_a_counter_are_read_together(state: SharedState) -> None:
    await state.revoke("family:f1", until=_in(60))
    await state.revoke("jti-gone", until=_in(-5))
    await state.add("account_version:7", 2)

    assert await state.revoked_and_counter(["jti-9", "family:f1"], "account_version:7") == (True, 2)
    assert await state.revoked_and_counter(["jti-9", "jti-gone"], "account_version:7") == (False, 2)
    assert await state.revoked_and_counter(["jti-9"], "never_touched") == (False, 0)
    assert await state.revoked_and_counter([], "account_version:7") == (False, 2)
    await state.add("account_version:7")
    assert await state.revoked_and_counter(["family:f1"], "account_version:7") == (True, 3)


async def test_revocation_until_a_past_time_revokes_nothing(state: SharedState) -> None:
    await state.revoke("jti-old", until=_in(-5))

    assert not await is_revoked(state, "jti-old")


async def test_revocation_ends_at_its_until_time(state: SharedState) -> None:
    await state.revoke("jti-short", until=_in(1))
    assert await is_revoked(state, "jti-short")

    await asyncio.sleep(1.2)

    assert not await is_revoked(state, "jti-short")


async def test_hit_allows_amount_then_refuses_with_retry_after(state: SharedState) -> None:
    decisions = [await state.hit(LOGIN, "1.2.3.4") for _ in range(LOGIN.amount + 1)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert [d.retry_after_s for d in decisions[:3]] == [0, 0, 0]
    assert 1 <= decisions[-1].retry_after_s <= LOGIN.period_s


async def test_window_frees_a_slot_once_the_period_has_passed(state: SharedState) -> None:
    limit = RateLimit(name="tight", amount=1, period_s=1)
    assert (await state.hit(limit, "k")).allowed
    refused = await state.hit(limit, "k")
    assert not refused.allowed
    assert refused.retry_after_s == 1

    await asyncio.sleep(1.1)

    assert (await state.hit(limit, "k")).allowed


async def test_rate_limit_keys_are_independent(state: SharedState) -> None:
    for _ in range(LOGIN.amount):
        await state.hit(LOGIN, "1.2.3.4")

    other_key = await state.hit(LOGIN, "5.6.7.8")
    other_name = await state.hit(RateLimit(name="register", amount=3, period_s=60), "1.2.3.4")

    assert other_key.allowed
    assert other_key.remaining == 2
    assert other_name.allowed
    assert other_name.remaining == 2


async def test_peek_does_not_consume(state: SharedState) -> None:
    for _ in range(5):
        peeked = await state.peek(LOGIN, "k")
        assert peeked.allowed
        assert peeked.remaining == 3
        assert peeked.retry_after_s == 0

    assert (await state.hit(LOGIN, "k")).remaining == 2
    assert (await state.peek(LOGIN, "k")).remaining == 2


async def test_peek_on_a_full_window_refuses_with_retry_after(state: SharedState) -> None:
    for _ in range(LOGIN.amount):
        await state.hit(LOGIN, "k")

    peeked = await state.peek(LOGIN, "k")

    assert not peeked.allowed
    assert peeked.remaining == 0
    assert 1 <= peeked.retry_after_s <= LOGIN.period_s


async def test_reset_clears_the_key_only(state: SharedState) -> None:
    for key in ("a", "b"):
        for _ in range(LOGIN.amount):
            await state.hit(LOGIN, key)

    await state.reset(LOGIN, "a")

    after = await state.hit(LOGIN, "a")
    assert after.allowed
    assert after.remaining == 2
    assert not (await state.peek(LOGIN, "b")).allowed


async def test_counters_add_and_read_with_missing_names_as_zero(state: SharedState) -> None:
    assert await state.add("ws_connections") == 1
    assert await state.add("ws_connections", 4) == 5
    assert await state.add("ws_connections", -2) == 3
    assert await state.add("messages", 7) == 7

    counts = await state.get_many(["ws_connections", "messages", "never_touched"])

    assert dict(counts) == {"ws_connections": 3, "messages": 7, "never_touched": 0}
    assert dict(await state.get_many([])) == {}


async def test_leases_sum_over_their_holders_and_a_new_hold_replaces_the_old(state: SharedState) -> None:
    await state.hold("host-a:1", {"active_connections": 3, "active_generations": 1}, ttl_s=30)
    await state.hold("host-b:2", {"active_connections": 2}, ttl_s=30)
    await state.hold("host-a:1", {"active_connections": 1, "active_generations": 0}, ttl_s=30)

    held = await state.held(["active_connections", "active_generations", "never_held"])

    assert held == {"active_connections": 3, "active_generations": 0, "never_held": 0}


async def test_a_released_lease_counts_no_more(state: SharedState) -> None:
    await state.hold("host-a:1", {"active_connections": 4}, ttl_s=30)
    await state.release("host-a:1")
    await state.release("nobody")

    assert await state.held(["active_connections"]) == {"active_connections": 0}


async def test_a_lease_nobody_renews_expires_by_itself(state: SharedState) -> None:
    """A process killed without a word: what it held stops counting once its lease runs out."""
    await state.hold("killed:9", {"active_connections": 10}, ttl_s=0.3)
    await state.hold("alive:1", {"active_connections": 1}, ttl_s=30)
    assert (await state.held(["active_connections"]))["active_connections"] == 11

    await asyncio.sleep(0.5)

    assert await state.held(["active_connections"]) == {"active_connections": 1}


async def test_ping_reports_a_round_trip_in_ms(state: SharedState) -> None:
    elapsed_ms = await state.ping()

    assert isinstance(elapsed_ms, float)
    assert elapsed_ms >= 0.0


def test_backend_names_the_store(state: SharedState) -> None:
    assert state.backend in {"memory", "redis"}
    assert state.backend == ("memory" if isinstance(state, MemorySharedState) else "redis")


@pytest.mark.redis
async def test_redis_instances_share_revocations_counts_and_limits(
    redis_pair: tuple[SharedState, SharedState],
) -> None:
    first, second = redis_pair

    await first.revoke("jti-shared", until=_in(60))
    await first.add("ws_connections", 2)
    await second.add("ws_connections", 3)
    for _ in range(LOGIN.amount):
        await first.hit(LOGIN, "k")

    assert await is_revoked(second, "jti-shared")
    assert (await first.get_many(["ws_connections"]))["ws_connections"] == 5
    assert await first.revoked_and_counter(["jti-shared"], "ws_connections") == (True, 5)
    assert not (await second.hit(LOGIN, "k")).allowed


@pytest.mark.redis
async def test_redis_prefixes_keep_deployments_apart(redis_url: str, redis_prefix: str) -> None:
    mine = RedisSharedState(redis_url, key_prefix=redis_prefix)
    theirs = RedisSharedState(redis_url, key_prefix=f"{redis_prefix}:other")
    try:
        await mine.revoke("jti", until=_in(60))
        await mine.add("c")

        assert not await is_revoked(theirs, "jti")
        assert (await theirs.get_many(["c"]))["c"] == 0
    finally:
        await mine.aclose()
        await theirs.aclose()


@pytest.mark.parametrize(
    "operation",
    [
        lambda s: s.ping(),
        lambda s: s.revoked_and_counter(["jti"], "c"),
        lambda s: s.revoke("jti", until=_in(60)),
        lambda s: s.hit(LOGIN, "k"),
        lambda s: s.peek(LOGIN, "k"),
        lambda s: s.add("c"),
        lambda s: s.get_many(["c"]),
    ],
    ids=["ping", "revoked_and_counter", "revoke", "hit", "peek", "add", "get_many"],
)
async def test_unreachable_redis_is_dependency_unavailable(
    operation: Callable[[SharedState], Awaitable[object]],
) -> None:
    state = RedisSharedState(UNREACHABLE_REDIS_URL, timeout_s=0.5)
    try:
        with pytest.raises(DependencyUnavailable):
            await operation(state)
    finally:
        await state.aclose()


async def test_memory_revocations_follow_the_injected_clock_and_are_purged() -> None:
    clock = FakeClock()
    state = MemorySharedState(now=clock.now)
    for n in range(100):
        await state.revoke(f"jti-{n}", until=clock.now() + timedelta(seconds=30))
    assert await is_revoked(state, "jti-0")

    clock.advance(31)
    await state.revoke("jti-late", until=clock.now() + timedelta(seconds=30))

    assert not await is_revoked(state, "jti-0")
    assert await is_revoked(state, "jti-late")
    assert len(state._revoked) == 1
    await state.aclose()

"""The chat's shared counters: published in batches, never in the way of a conversation."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from prometheus_client import CollectorRegistry

from ova.adapters.state.memory import MemorySharedState
from ova.adapters.telemetry.chat_telemetry import (
    ACTIVE_CONNECTIONS,
    MESSAGES_PROCESSED,
    TOTAL_CONNECTIONS,
    ChatTelemetry,
)


class CountingCounters:
    """Counters that record every ``add`` (and can be made to fail)."""

    def __init__(self, *, failing: bool = False) -> None:
        self.calls: list[tuple[str, int]] = []
        self.failing = failing

    async def add(self, name: str, amount: int = 1) -> int:
        await asyncio.sleep(0)
        if self.failing:
            raise ConnectionError("redis is down")
        self.calls.append((name, amount))
        return amount

    async def get_many(self, names: Sequence[str]) -> Mapping[str, int]:
        return {}


async def test_changes_made_in_one_loop_turn_are_published_once_with_their_sum() -> None:
    counters = CountingCounters()
    telemetry = ChatTelemetry(counters)
    for _ in range(500):
        telemetry.message_done("answered")
        telemetry.generation_started()
        telemetry.generation_ended()
    await telemetry.flush()
    assert counters.calls == [(MESSAGES_PROCESSED, 500)]  # +1 and -1 generations cancel out


async def test_changes_made_while_a_batch_is_published_go_out_with_the_next() -> None:
    counters = CountingCounters()
    telemetry = ChatTelemetry(counters)
    telemetry.message_done("answered")
    await asyncio.sleep(0)  # the first batch is being published
    telemetry.message_done("answered")
    telemetry.message_done("answered")
    await telemetry.flush()
    assert counters.calls == [(MESSAGES_PROCESSED, 1), (MESSAGES_PROCESSED, 2)]


async def test_refused_messages_are_not_counted_as_processed() -> None:
    counters = CountingCounters()
    telemetry = ChatTelemetry(counters)
    telemetry.message_done("rate_limited")
    telemetry.message_done("cancelled")
    await telemetry.flush()
    assert counters.calls == []


async def test_connections_are_counted_in_the_shared_state() -> None:
    state = MemorySharedState()
    telemetry = ChatTelemetry(state)
    async with telemetry.connection(), telemetry.connection():
        await telemetry.flush()
        assert await state.get_many([ACTIVE_CONNECTIONS, TOTAL_CONNECTIONS]) == {
            ACTIVE_CONNECTIONS: 2, TOTAL_CONNECTIONS: 2,
        }
    await telemetry.flush()
    assert (await state.get_many([ACTIVE_CONNECTIONS]))[ACTIVE_CONNECTIONS] == 0


async def test_a_failing_shared_state_never_reaches_the_conversation() -> None:
    registry = CollectorRegistry()
    telemetry = ChatTelemetry(CountingCounters(failing=True), registry)
    telemetry.generation_started()
    await asyncio.sleep(0)
    assert registry.get_sample_value("ova_chat_generations_active") == 1
    telemetry.generation_ended()
    telemetry.message_done("answered")
    await telemetry.flush()
    assert registry.get_sample_value("ova_chat_generations_active") == 0
    assert registry.get_sample_value("ova_ws_messages_total", {"outcome": "answered"}) == 1


async def test_what_is_open_is_held_by_lease_renewed_while_the_process_lives_and_given_back_at_close() -> None:
    state = MemorySharedState()
    telemetry = ChatTelemetry(state, leases=state, holder="host:1", lease_ttl_s=0.3)
    async with telemetry.connection():
        telemetry.generation_started()
        await telemetry.flush()
        assert await state.held(["active_connections", "active_generations"]) == {
            "active_connections": 1, "active_generations": 1}
        await asyncio.sleep(0.6)  # two lease lifetimes: still counted, because renewed
        assert (await state.held(["active_connections"]))["active_connections"] == 1
        telemetry.generation_ended()
    await telemetry.flush()
    assert await state.held(["active_connections", "active_generations"]) == {
        "active_connections": 0, "active_generations": 0}
    assert (await state.get_many([TOTAL_CONNECTIONS]))[TOTAL_CONNECTIONS] == 1  # totals stay counters
    await telemetry.close()
    assert state._leases == {}


async def test_a_process_that_stops_renewing_drops_out_when_its_lease_runs_out() -> None:
    """kill -9: no close, no release; the lease (and the connections it held) expires by itself."""
    state = MemorySharedState()
    dying = ChatTelemetry(state, leases=state, holder="host:2", lease_ttl_s=0.3)
    connection = dying.connection()
    await connection.__aenter__()
    await dying.flush()
    assert (await state.held([ACTIVE_CONNECTIONS]))[ACTIVE_CONNECTIONS] == 1
    assert dying._renewer is not None
    dying._renewer.cancel()  # the process is gone: nothing renews its lease

    await asyncio.sleep(0.5)

    assert (await state.held([ACTIVE_CONNECTIONS]))[ACTIVE_CONNECTIONS] == 0

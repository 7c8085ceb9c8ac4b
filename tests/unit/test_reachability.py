"""An external engine's reachability probe: asked at most once per TTL, failures kept as long as
successes, probes at once sharing one request, a deadline of its own."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ova.adapters.ai.reachability import CachedReachability, answers_http
from ova.domain.errors import ModelUnavailable


class Engine:
    """A ``ping`` that counts its calls; ``down`` makes it fail as an unreachable server does."""

    def __init__(self) -> None:
        self.pings = 0
        self.down = False
        self.gate: asyncio.Event | None = None

    async def ping(self) -> None:
        self.pings += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise httpx.ConnectError("connection refused")


def probe(engine: Engine, clock: list[float], *, ttl_s: float = 5.0, timeout_s: float = 1.5) -> CachedReachability:
    return CachedReachability(engine.ping, provider="El servidor de chat", ttl_s=ttl_s, timeout_s=timeout_s,
                              clock=lambda: clock[0])


async def test_an_answer_is_kept_for_the_ttl_then_asked_again() -> None:
    engine, clock = Engine(), [0.0]
    reachability = probe(engine, clock)
    assert await reachability.check() == 0.0
    clock[0] = 4.9
    await reachability.check()
    assert engine.pings == 1
    clock[0] = 5.0
    await reachability.check()
    assert engine.pings == 2


async def test_a_failure_is_kept_as_long_and_names_the_reason() -> None:
    engine, clock = Engine(), [0.0]
    engine.down = True
    reachability = probe(engine, clock)
    for _ in range(3):
        with pytest.raises(ModelUnavailable, match=r"El servidor de chat no responde \(ConnectError\)"):
            await reachability.check()
    assert engine.pings == 1
    engine.down, clock[0] = False, 5.0
    await reachability.check()
    assert engine.pings == 2


async def test_probes_at_once_share_one_request() -> None:
    engine, clock = Engine(), [0.0]
    engine.gate = asyncio.Event()
    reachability = probe(engine, clock)
    waiting = [asyncio.ensure_future(reachability.check()) for _ in range(5)]
    await asyncio.sleep(0)
    engine.gate.set()
    await asyncio.gather(*waiting)
    assert engine.pings == 1


async def test_an_engine_that_does_not_answer_in_time_is_unreachable() -> None:
    engine, clock = Engine(), [0.0]
    engine.gate = asyncio.Event()  # never set: the request hangs
    with pytest.raises(ModelUnavailable, match=r"no responde en 0\.01 s"):
        await probe(engine, clock, timeout_s=0.01).check()


async def test_with_no_ttl_every_probe_asks() -> None:
    engine, clock = Engine(), [0.0]
    reachability = probe(engine, clock, ttl_s=0)
    await reachability.check()
    await reachability.check()
    assert engine.pings == 2


@pytest.mark.parametrize(("status", "reachable"), [(200, True), (401, True), (404, True), (500, False), (503, False)])
async def test_any_answer_but_a_server_error_means_the_engine_is_there(status: int, reachable: bool) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"data": []})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        call = answers_http(http, "http://engine/v1/models", provider="El servidor de chat",
                            headers={"Authorization": "Bearer k"})
        if reachable:
            await call
        else:
            with pytest.raises(ModelUnavailable, match=f"no está disponible ahora \\({status}\\)"):
                await call
    assert seen[0].method == "GET" and seen[0].headers["authorization"] == "Bearer k"

"""The single ASGI layer in front of the routes, driven with hand-made scopes."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.middleware import Middleware
from starlette.types import Message, Receive, Scope, Send

from ova.adapters.telemetry.http_metrics import HttpMetrics
from ova.entrypoints.asgi.edge import EdgeApp, EdgeMiddleware, server_send
from ova.entrypoints.request_context import current_request_id

ORIGIN = "http://localhost:3000"


def edge(app: Any, metrics: HttpMetrics | None = None) -> EdgeMiddleware:
    return EdgeMiddleware(app, metrics=metrics or HttpMetrics(), access_log=False, allow_origins=[ORIGIN],
                          expose_headers=["X-Request-ID"])


def http_scope(path: str = "/status", headers: tuple[tuple[bytes, bytes], ...] = ()) -> Scope:
    return {"type": "http", "method": "GET", "path": path, "headers": list(headers), "state": {}}


async def call(app: EdgeMiddleware, scope: Scope) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def headers_of(messages: list[Message]) -> dict[bytes, bytes]:
    return dict(messages[0]["headers"])


async def ok(scope: Scope, receive: Receive, send: Send) -> None:
    scope["ova.route"] = "/status"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def test_every_response_gets_a_request_id_echoed_when_sane() -> None:
    given = await call(edge(ok), http_scope(headers=((b"x-request-id", b"abc-123"),)))
    forged = await call(edge(ok), http_scope(headers=((b"x-request-id", b"bad id\n"), (b"x-request-id", b"ok-2"))))
    fresh = [headers_of(await call(edge(ok), http_scope()))[b"x-request-id"] for _ in range(3)]

    assert headers_of(given)[b"x-request-id"] == b"abc-123"
    assert headers_of(forged)[b"x-request-id"] not in (b"bad id\n", b"ok-2")
    assert len(set(fresh)) == 3 and all(len(value) == 32 for value in fresh)


async def test_cors_headers_only_for_requests_with_an_origin() -> None:
    plain = headers_of(await call(edge(ok), http_scope()))
    cross = headers_of(await call(edge(ok), http_scope(headers=((b"origin", ORIGIN.encode()),))))

    assert b"access-control-allow-origin" not in plain
    assert cross[b"access-control-allow-origin"] == ORIGIN.encode()
    assert b"x-request-id" in cross


async def test_trailing_slashes_are_normalised_and_metrics_count_by_route_and_status() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["path"])
        await ok(scope, receive, send)

    metrics = HttpMetrics()
    await call(edge(app, metrics), http_scope("/status/"))

    assert seen == ["/status"]
    assert sum(metrics._observed[("GET", "/status", 200)][:-1]) == 1


@pytest.mark.parametrize("origin", [False, True])
async def test_an_unhandled_error_is_a_json_500_with_the_request_id(origin: bool) -> None:
    async def boom(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("secret")

    metrics = HttpMetrics()
    headers = ((b"x-request-id", b"req-9"), *(((b"origin", ORIGIN.encode()),) if origin else ()))
    sent = await call(edge(boom, metrics), http_scope(headers=headers))

    assert sent[0]["status"] == 500
    assert b"req-9" in sent[1]["body"] and b"secret" not in sent[1]["body"]
    assert headers_of(sent)[b"x-request-id"] == b"req-9"
    assert (b"access-control-allow-origin" in headers_of(sent)) is origin
    assert ("GET", "unmatched", 500) in metrics._observed


async def test_an_error_after_the_response_started_is_not_answered_twice() -> None:
    async def late(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("midway")

    with pytest.raises(RuntimeError, match="midway"):
        await call(edge(late), http_scope())


async def test_websockets_get_a_request_id_and_nothing_http_only() -> None:
    inside: dict[str, Any] = {}

    async def socket(scope: Scope, receive: Receive, send: Send) -> None:
        inside.update(path=scope["path"], state=dict(scope["state"]), logged=current_request_id.get())
        await send({"type": "websocket.accept"})

    metrics = HttpMetrics()
    scope = {"type": "websocket", "path": "/ws/chat/", "headers": [(b"origin", ORIGIN.encode()),
                                                                    (b"x-request-id", b"ws-1")], "state": {}}
    sent = await call(edge(socket, metrics), scope)

    assert sent == [{"type": "websocket.accept"}]  # no header added, no CORS
    assert inside == {"path": "/ws/chat", "state": {"request_id": "ws-1"}, "logged": "ws-1"}
    assert current_request_id.get() is None
    assert metrics._observed == {}


async def test_a_websocket_app_finds_the_servers_own_send_in_its_scope() -> None:
    async def socket(scope: Scope, receive: Receive, send: Send) -> None:
        await server_send(scope)({"type": "websocket.accept"})

    sent = await call(edge(socket), {"type": "websocket", "path": "/ws", "headers": [], "state": {}})
    assert sent == [{"type": "websocket.accept"}]  # through the server's send itself
    with pytest.raises(RuntimeError, match="EdgeMiddleware"):
        server_send({"type": "websocket", "path": "/ws", "headers": []})


async def test_lifespan_passes_straight_through() -> None:
    scopes: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)

    await call(edge(app), {"type": "lifespan"})

    assert scopes == [{"type": "lifespan"}]


async def test_the_app_drops_starlettes_error_layer_only_behind_the_edge() -> None:
    behind = EdgeApp(middleware=[Middleware(EdgeMiddleware, metrics=HttpMetrics(), access_log=False)])
    assert isinstance(behind.build_middleware_stack(), EdgeMiddleware)
    with pytest.raises(TypeError, match="EdgeMiddleware"):
        EdgeApp().build_middleware_stack()


NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_REFERRER = (b"referrer-policy", b"no-referrer")
API_POLICY = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def secured(hsts: bool = False) -> EdgeMiddleware:
    return EdgeMiddleware(ok, metrics=HttpMetrics(), access_log=False, allow_origins=[ORIGIN], hsts=hsts,
                          page_csp={"/docs": "script-src 'self'"})


@pytest.mark.parametrize("origin", [False, True])
async def test_every_response_carries_the_security_headers_once_and_keeps_its_own(origin: bool) -> None:
    headers = ((b"origin", ORIGIN.encode()),) if origin else ()
    sent = await call(secured(), http_scope(headers=headers))

    listed = sent[0]["headers"]
    assert listed[0] == (b"content-type", b"application/json")  # the route's own headers stay first
    for header in (NOSNIFF, NO_REFERRER, API_POLICY):
        assert listed.count(header) == 1
    assert [name for name, _ in listed].count(b"content-security-policy") == 1
    assert b"strict-transport-security" not in dict(listed)


async def test_an_unhandled_error_and_a_preflight_carry_the_security_headers_too() -> None:
    async def boom(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("secret")

    failed = await call(EdgeMiddleware(boom, metrics=HttpMetrics(), access_log=False), http_scope())
    preflight = await call(secured(), {**http_scope(headers=(
        (b"origin", ORIGIN.encode()), (b"access-control-request-method", b"GET"))), "method": "OPTIONS"})

    for sent in (failed, preflight):
        assert {NOSNIFF, NO_REFERRER, API_POLICY} <= set(sent[0]["headers"])


async def test_a_page_gets_its_own_policy_by_exact_path_after_the_slash_is_dropped() -> None:
    page = headers_of(await call(secured(), http_scope("/docs/")))
    asset = headers_of(await call(secured(), http_scope("/docs/assets/swagger-ui.css")))

    assert page[b"content-security-policy"] == b"script-src 'self'"
    assert page[b"x-content-type-options"] == b"nosniff"
    assert asset[b"content-security-policy"] == API_POLICY[1]


@pytest.mark.parametrize("hsts", [False, True])
async def test_hsts_only_when_asked(hsts: bool) -> None:
    for path in ("/status", "/docs"):
        listed = (await call(secured(hsts=hsts), http_scope(path)))[0]["headers"]
        assert (HSTS in listed) is hsts

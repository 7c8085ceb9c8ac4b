"""Pure ASGI middleware: request ids, access logs and metrics; and the last-resort 500."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import structlog
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ova.entrypoints.http.metrics import HttpMetrics
from ova.entrypoints.http.problems import problem
from ova.entrypoints.request_context import current_request_id

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = structlog.get_logger("ova.http")


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "-"))


class RequestContextMiddleware:
    """Outermost: gives every request an id (echoed from ``X-Request-ID`` when sane), puts it on
    every response and in every log line, normalises a trailing slash (no redirects), and records
    the access log and the metrics."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope["path"] = path.rstrip("/") or "/"
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        status = 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        started = time.perf_counter()
        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("ova.route", "unmatched")
            self.metrics.observe(scope["method"], route, status, elapsed)
            if self.access_log:
                log.info("request", method=scope["method"], path=scope["path"], route=route, status=status,
                         ms=round(elapsed * 1000, 2))
            current_request_id.reset(token)


class UnhandledErrorMiddleware:
    """Innermost: an exception nobody handled becomes a JSON 500 with the request id, never a
    traceback. It sits inside CORS so browsers can read the error."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error", path=scope.get("path"))
            if started:
                raise
            request_id = request_id_of(scope)
            response = problem(
                500,
                f"Error interno del servidor. Referencia: {request_id}",
                extra={"request_id": request_id},
            )
            await response(scope, receive, send)


class CorsWhenOriginMiddleware(CORSMiddleware):
    """Starlette's CORS, skipped for requests without an ``Origin`` header (probes, servers, curl):
    they are not cross-origin browser requests, and parsing their headers costs every request."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(name == b"origin" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _incoming_request_id(scope: Scope) -> str | None:
    headers: Any = scope.get("headers", [])
    for name, value in headers:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None

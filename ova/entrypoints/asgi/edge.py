"""The one pure-ASGI layer in front of the routes: request ids, security headers, CORS, the last-resort
500, access logs and metrics.

One layer rather than one per concern: each layer costs every request a coroutine frame and a
wrapped ``send``, a large part of what a cheap route such as ``/status`` costs.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Collection, Mapping

import structlog
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ova.application.ports.telemetry import RequestMetrics
from ova.entrypoints.asgi.problems import problem
from ova.entrypoints.request_context import current_request_id

_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
SERVER_SEND = "ova.server_send"  # in a WebSocket's scope: the server's own ``send``, unwrapped
log = structlog.get_logger("ova.http")

Header = tuple[bytes, bytes]
SECURITY_HEADERS: tuple[Header, ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
"""On every HTTP response: no MIME sniffing, and no URL (with its tokens or ids) leaked as a referrer."""
API_CSP = "default-src 'none'; frame-ancestors 'none'"
"""The content security policy of an API: its JSON may load nothing and be framed by no page."""
HSTS: Header = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
"""Production only: development and tests run over plain HTTP, where browsers would pin HTTPS."""


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "-"))


class EdgeMiddleware:
    """Outermost, for every HTTP request:

    - an id (``X-Request-ID`` echoed when sane, else a new one) in ``scope["state"]``, in every log
      line and on every response;
    - the security headers on every response: ``SECURITY_HEADERS``, a content security policy
      (``API_CSP``, or a page's own from ``page_csp``, looked up by exact path) and, with ``hsts``,
      ``Strict-Transport-Security``; built once here, each response only extends its header list;
    - a trailing slash normalised away (no redirects);
    - CORS, Starlette's, for requests with an ``Origin`` header only: the others (probes, servers,
      curl) are not cross-origin browser requests, and parsing their headers costs every request;
    - an exception nobody handled becomes a JSON 500 with the request id, never a traceback, and
      carries the CORS headers so browsers can read it;
    - the access log and the metrics by route template and status.

    WebSocket scopes get the request id (state and logs) and the path normalisation only: nothing
    HTTP-only. Other scopes (lifespan) pass straight through.
    """

    def __init__(self, app: ASGIApp, *, metrics: RequestMetrics, access_log: bool = True,
                 allow_origins: Collection[str] = (), allow_methods: Collection[str] = ("GET",),
                 allow_headers: Collection[str] = (), expose_headers: Collection[str] = (),
                 allow_credentials: bool = False, max_age: int = 600, hsts: bool = False,
                 page_csp: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

        def headers(csp: str) -> tuple[Header, ...]:
            return (*SECURITY_HEADERS, (b"content-security-policy", csp.encode()), *((HSTS,) if hsts else ()))

        self._headers = headers(API_CSP)
        self._page_headers = {path: headers(csp) for path, csp in (page_csp or {}).items()}

        def cors(inner: ASGIApp) -> CORSMiddleware:
            return CORSMiddleware(inner, allow_origins=allow_origins, allow_methods=allow_methods,
                                  allow_headers=allow_headers, expose_headers=expose_headers,
                                  allow_credentials=allow_credentials, max_age=max_age)

        self._cors = cors(app)
        self._cors_for_errors = cors(_internal_error)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = None
        cross_origin = False
        for name, value in scope["headers"]:
            if name == b"origin":
                cross_origin = True
            elif name == b"x-request-id" and request_id is None:
                request_id = _sane(value) or ""  # only the first one counts
        if not request_id:
            request_id = _new_request_id()
        path = _prepare(scope, request_id)
        header = (b"x-request-id", request_id.encode())
        added = self._page_headers.get(path, self._headers)
        status = 0  # until the response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header, *added]
            await send(message)

        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            try:
                await (self._cors if cross_origin else self.app)(scope, receive, send_with_id)
            except Exception:
                log.exception("unhandled error", path=scope.get("path"))
                if status:
                    raise
                await (self._cors_for_errors if cross_origin else _internal_error)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("ova.route", "unmatched")
            self.metrics.observe(scope["method"], route, status or 500, elapsed)
            if self.access_log:
                log.info("request", method=scope["method"], path=scope["path"], route=route, status=status or 500,
                         ms=round(elapsed * 1000, 2))
            current_request_id.reset(token)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = _sane(value)
                break
        request_id = request_id or _new_request_id()
        _prepare(scope, request_id)
        scope[SERVER_SEND] = send
        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send)
        finally:
            current_request_id.reset(token)


class EdgeApp(Starlette):
    """Starlette without its own outermost ``ServerErrorMiddleware``: ``EdgeMiddleware`` answers every
    unhandled error already (as the contract's JSON 500), so that layer would only cost each request a
    coroutine frame and a wrapped ``send``. Use with ``EdgeMiddleware`` as the first middleware."""

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        inner = stack.app if isinstance(stack, ServerErrorMiddleware) else None
        if not isinstance(inner, EdgeMiddleware):
            raise TypeError("EdgeApp needs EdgeMiddleware as its first (outermost) middleware")
        return inner


def server_send(scope: Scope) -> Send:
    """The server's ``send`` for a WebSocket, as ``EdgeMiddleware`` found it: what a hot path may call to
    skip the framework's layers, which add nothing to a ``websocket.send``."""
    found: Send | None = scope.get(SERVER_SEND)
    if found is None:
        raise RuntimeError("no server send in this scope: the app must run behind EdgeMiddleware")
    return found


def _new_request_id() -> str:
    """32 hex digits, unique across processes: a random prefix per process and a counter. Not a
    secret, and cheaper than ``os.urandom`` per request (a system call: several microseconds)."""
    return f"{_id_prefix}{next(_id_counter):016x}"


def _reset_request_ids() -> None:
    global _id_prefix, _id_counter
    _id_prefix, _id_counter = os.urandom(8).hex(), itertools.count()


_id_prefix, _id_counter = "", itertools.count()
_reset_request_ids()
os.register_at_fork(after_in_child=_reset_request_ids)


def _sane(value: bytes) -> str | None:
    """An incoming request id, when it is safe to echo and log."""
    candidate = value.decode("latin-1")
    return candidate if _VALID_REQUEST_ID.fullmatch(candidate) else None


def _prepare(scope: Scope, request_id: str) -> str:
    """Stores the request id and normalises the path; returns the path the routes will see."""
    state = scope.get("state")
    if state is None:
        scope["state"] = {"request_id": request_id}
    else:
        state["request_id"] = request_id
    path: str = scope["path"]
    if len(path) > 1 and path[-1] == "/":
        path = scope["path"] = path.rstrip("/") or "/"
    return path


async def _internal_error(scope: Scope, receive: Receive, send: Send) -> None:
    request_id = request_id_of(scope)
    response = problem(500, f"Error interno del servidor. Referencia: {request_id}", extra={"request_id": request_id})
    await response(scope, receive, send)

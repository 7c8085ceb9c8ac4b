"""Health and operations: ``/status...``, the client's probes, and ``/metrics``.

What tells an attacker about the deployment (each dependency's provider, circuit and error, and which
host and process answered) is shown only to an operator: an admin's access token, or
``Bearer <METRICS_TOKEN>``. Anyone gets the statuses a probe or the published client needs."""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import os
import socket
import time
from datetime import UTC, datetime

from attrs import frozen
from starlette.requests import Request
from starlette.responses import Response

import ova
from ova.application.authorization import require_admin
from ova.application.ports.telemetry import RequestMetrics
from ova.config.settings import Settings
from ova.domain.errors import DomainError
from ova.entrypoints.asgi.converter import dump_datetime
from ova.entrypoints.asgi.problems import problem
from ova.entrypoints.http.requests import bearer_token, container, principal
from ova.entrypoints.http.routing import api, respond

INSTANCE = f"{socket.gethostname()}:{os.getpid()}"
WEBSOCKET_COUNTERS = ("active_connections", "total_connections", "messages_processed", "active_generations")
HELD = ("active_connections", "active_generations")  # each process's lease, summed over the live ones
TOTALS = ("total_connections", "messages_processed")  # shared counters


@frozen
class StatusView:
    """Cheap liveness: no I/O."""

    status: str
    version: str
    environment: str
    timestamp: datetime
    uptime_s: float


@frozen
class StatusDetailView:
    """``StatusView`` for an operator, and ``instance``: the answering process (host and pid)."""

    status: str
    version: str
    environment: str
    timestamp: datetime
    uptime_s: float
    instance: str


@frozen
class CheckView:
    status: str
    latency_ms: float


@frozen
class CheckDetailView:
    """A dependency's check for an operator: which provider serves it, the model a capability runs,
    its circuit, what failed."""

    status: str
    latency_ms: float
    provider: str
    model: str | None = None
    circuit: str | None = None
    detail: str | None = None


@frozen
class HealthView:
    """``status`` is ok, degraded or down (503)."""

    status: str
    checks: dict[str, CheckView]


@frozen
class HealthDetailView:
    """``HealthView`` for an operator: each check's provider, circuit and detail, and ``instance``."""

    status: str
    checks: dict[str, CheckDetailView]
    instance: str


@frozen
class WebsocketStatusView:
    active_connections: int
    total_connections: int
    messages_processed: int
    active_generations: int


@frozen
class LiveView:
    status: str


@frozen
class ReadyView:
    """``status`` is ready or not_ready (503); ``checks`` names each dependency's status only."""

    status: str
    checks: dict[str, str]


@frozen
class DatabaseStatusView:
    backend: str
    latency_ms: float
    pool: dict[str, int]
    revision: str | None


async def operator(request: Request) -> bool:
    """Whether the request carries ``Bearer <METRICS_TOKEN>`` or an admin's access token. Anything
    else (no header, a bad or revoked token, a user's, a token that cannot be checked now) is simply
    anonymous: a probe never fails for its credentials."""
    header = request.headers.get("authorization")
    if not header:
        return False
    expected = request.app.state.settings.http.metrics_token
    if expected is not None and hmac.compare_digest(header.encode(), f"Bearer {expected}".encode()):
        return True
    token = bearer_token(request)
    if token is None:
        return False
    try:
        found = await container(request).authenticate()(token)
    except DomainError:
        return False
    return found.user.is_admin


async def status(request: Request) -> Response:
    state = request.app.state
    detailed = "authorization" in request.headers and await operator(request)
    return Response(
        status_body(state.settings.environment.value, datetime.now(UTC), time.monotonic() - state.started,
                    instance=INSTANCE if detailed else None),
        media_type="application/json",
    )


def status_body(environment: str, now: datetime, uptime_s: float, *, instance: str | None = None) -> bytes:
    """``StatusView`` (``StatusDetailView`` with ``instance``) as ``respond`` writes it, without
    cattrs and ``json.dumps``: ``/status`` is the request probes and load balancers make most, and the
    view is fixed but for two values."""
    varying = f'"timestamp":"{dump_datetime(now)}","uptime_s":{round(uptime_s, 3)!r}'
    suffix = "}" if instance is None else "," + _instance_json(instance) + "}"
    return f"{_status_prefix(environment)}{varying}{suffix}".encode()


@functools.cache
def _status_prefix(environment: str) -> str:
    fixed = {"status": "online", "version": ova.__version__, "environment": environment}
    return json.dumps(fixed, ensure_ascii=False, separators=(",", ":"))[:-1] + ","


@functools.cache
def _instance_json(instance: str) -> str:
    return '"instance":' + json.dumps(instance, ensure_ascii=False)


async def health(request: Request) -> Response:
    report = await container(request).check_health()()
    code = 503 if report.status == "down" else 200
    if await operator(request):
        details = {name: CheckDetailView(r.status, r.latency_ms, r.provider, r.model, r.circuit, r.detail)
                   for name, r in report.checks.items()}
        return respond(HealthDetailView(report.status, details, INSTANCE), code)
    checks = {name: CheckView(r.status, r.latency_ms) for name, r in report.checks.items()}
    return respond(HealthView(report.status, checks), code)


async def websocket_status(request: Request) -> Response:
    state = container(request).shared_state()
    totals, held = await asyncio.gather(state.get_many(TOTALS), state.held(HELD))  # both at once: one wait
    counts = {**totals, **held}
    return respond(WebsocketStatusView(**{name: max(0, counts.get(name, 0)) for name in WEBSOCKET_COUNTERS}))


async def database_status(request: Request) -> Response:
    require_admin((await principal(request)).user)
    report = await container(request).database().describe()
    return respond(DatabaseStatusView(backend=report.backend, latency_ms=report.latency_ms, pool=dict(report.pool),
                                      revision=report.revision))


async def metrics(request: Request) -> Response:
    """Open without ``METRICS_TOKEN`` outside production; with it, only for ``Authorization: Bearer
    <METRICS_TOKEN>`` (per-route latencies tell an attacker what is slow)."""
    settings: Settings = request.app.state.settings
    expected = settings.http.metrics_token
    if expected is not None or settings.is_production:
        given = request.headers.get("authorization", "")
        if expected is None or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            return problem(401, "Las métricas piden el token de METRICS_TOKEN (Authorization: Bearer ...).",
                           "not_authenticated")
    metrics: RequestMetrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=metrics.content_type)


async def live(request: Request) -> Response:
    """Liveness: the process answers (no I/O); a probe that fails this should restart it."""
    return Response(_ALIVE, media_type="application/json")


async def ready(request: Request) -> Response:
    """Readiness: the dependencies every request needs (database, shared state) answer, the chat model
    is ready (loaded, when it runs here; its engine answering, when it is an external one: a probe kept
    for ``AI_PROBE_TTL_S``), and the process is not draining (shutting down: it finishes what it has,
    takes nothing new); a load balancer sends no traffic while this is 503."""
    registry = getattr(request.app.state, "chat_registry", None)
    if registry is not None and registry.closing:
        return respond(ReadyView("not_ready", {"draining": "down"}), 503)
    report = await container(request).check_readiness()()
    ok = report.status != "down"
    view = ReadyView("ready" if ok else "not_ready", {name: r.status for name, r in report.checks.items()})
    return respond(view, 200 if ok else 503)


_ALIVE = b'{"status":"alive"}'


TAGS = ("estado",)
OPERATOR_NOTE = ("Sin credenciales: solo los estados. Con el token de un administrador o `Bearer <METRICS_TOKEN>`, "
                 "también el proveedor, el circuito y el detalle de cada comprobación y `instance` (host:pid).")
READY_NOTE = ("Para balanceadores y orquestadores. `checks` da el estado de cada comprobación: `database` y `cache` "
              "(Redis, si está configurado) responden; `chat`: el modelo de chat está cargado (si corre en este "
              "proceso; con `AI_WARM_UP=false` se carga con la primera petición y no se espera) o su motor externo "
              "responde (`CHAT_PROVIDER=openai-compatible` o `huggingface`: `GET <base>/models`, guardado "
              "`AI_PROBE_TTL_S` segundos; con `AI_FALLBACK_LOCAL=true` un motor caído no quita el servicio). "
              "Mientras el proceso se apaga responde 503 con `{\"draining\": \"down\"}`. Cualquier `down` da 503 "
              "`not_ready`. `/status/live` solo dice que el proceso responde.")
ROUTES = [
    api(status, path="/status", method="GET", summary="Estado del servicio (sin E/S)", tags=TAGS,
        response=StatusView | StatusDetailView, description=OPERATOR_NOTE),
    api(health, path="/status/health", method="GET", summary="Salud de cada dependencia", tags=TAGS,
        response=HealthView | HealthDetailView, errors=(503,), description=OPERATOR_NOTE),
    api(websocket_status, path="/status/websocket", method="GET", summary="Conexiones WebSocket", tags=TAGS,
        response=WebsocketStatusView),
    api(database_status, path="/status/database", method="GET", summary="Base de datos", tags=TAGS,
        response=DatabaseStatusView, auth="admin", errors=(503,)),
    *(
        api(status, path=path, method="GET", summary="Estado (cliente publicado)", tags=("aliases",),
            response=StatusView | StatusDetailView)
        for path in ("/chat/health", "/api/chat/health", "/api/status")
    ),
]
PROBE_ROUTES = [  # matched after the API's routes: a probe every few seconds, not per request
    api(live, path="/status/live", method="GET", summary="Vivo (sin E/S), para reiniciar el proceso si falla",
        tags=TAGS, response=LiveView),
    api(ready, path="/status/ready", method="GET", summary="Listo para recibir tráfico (503 si no)",
        tags=TAGS, response=ReadyView, errors=(503,), description=READY_NOTE),
]
PLAIN_ROUTES = {"/metrics": metrics}

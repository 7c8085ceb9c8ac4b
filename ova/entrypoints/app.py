"""The ASGI application: the HTTP routes and the chat's WebSocket routes behind one edge, the error
handlers and the lifespan. Everything it serves comes from the container."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

import ova
from ova.bootstrap import Container, build_container
from ova.config import Settings, load_settings
from ova.entrypoints.asgi.edge import EdgeApp, EdgeMiddleware
from ova.entrypoints.gc_tuning import freeze_again_if_tuned
from ova.entrypoints.http.handlers import EXCEPTION_HANDLERS
from ova.entrypoints.http.openapi_document import build_openapi
from ova.entrypoints.http.routes import auth, chats, contact, speech, status, users, vision
from ova.entrypoints.http.routes.docs import PAGE_CSP, PAGE_PATH, docs_routes
from ova.entrypoints.http.routing import starlette_routes
from ova.entrypoints.logs import first_line
from ova.entrypoints.websocket import endpoint as chat_socket

log = structlog.get_logger("ova")
# Starlette matches routes in order: the cheap, frequent probes and token checks come first.
# Each route before a request's own costs it a pattern match: orchestrators' probes come last.
API_ROUTES = [*status.ROUTES, *auth.ROUTES, *users.ROUTES, *contact.ROUTES, *vision.ROUTES, *speech.ROUTES,
              *chats.ROUTES, *status.PROBE_ROUTES]
EXPOSED_HEADERS = ["X-Request-ID", "X-Total-Count", "Retry-After", "WWW-Authenticate"]


def create_app(settings: Settings | None = None, container: Container | None = None) -> Starlette:
    settings = settings or load_settings()
    container = container or build_container(settings)
    metrics = container.http_metrics()
    registry = container.chat_registry()
    voices = container.synthesize_speech().voices  # the configured engine's: published as an enum
    openapi_json = json.dumps(build_openapi(API_ROUTES, voices=voices), ensure_ascii=False).encode()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await container.init_resources()  # type: ignore[misc]
        await _check_schema(container)
        await container.hasher().warm_up()
        warming = asyncio.create_task(_warm_up_models(container)) if settings.ai.warm_up else None
        await _ensure_first_admin(settings, container)
        housekeeping = container.housekeeping()
        housekeeping.start()
        log.info("ova started", version=ova.__version__, environment=settings.environment.value,
                 database=container.database().backend, shared_state=container.shared_state().backend)
        try:
            yield
        finally:
            await registry.close_all(settings.chat.shutdown_grace_s)
            if warming is not None:
                warming.cancel()
            await housekeeping.stop()
            await container.shutdown_resources()  # type: ignore[misc]

    app = EdgeApp(
        routes=[
            *starlette_routes(API_ROUTES),
            *(Route(path, endpoint, methods=["GET"]) for path, endpoint in status.PLAIN_ROUTES.items()),
            *docs_routes(openapi_json),
            *chat_socket.ROUTES,
        ],
        middleware=[
            Middleware(
                EdgeMiddleware,
                metrics=metrics,
                access_log=settings.log_level in ("DEBUG", "INFO"),
                allow_origins=list(settings.http.allowed_origins),
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
                expose_headers=EXPOSED_HEADERS,
                allow_credentials=False,
                max_age=settings.http.cors_max_age,
                hsts=settings.is_production,
                page_csp={PAGE_PATH: PAGE_CSP},
            ),
        ],
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.container = container
    app.state.metrics = metrics
    app.state.chat_registry = registry
    app.state.chat_services = container.chat_services()
    app.state.started = time.monotonic()
    return app


async def _check_schema(container: Container) -> None:
    database = container.database()
    try:
        revision = await database.revision()
    except Exception as error:  # the server still starts; /status/health reports the database
        log.error("database unreachable at start-up", error=first_line(error))
        return
    if revision != database.head():
        log.warning("database schema is not up to date; run `ova db upgrade`", current=revision,
                    head=database.head())


async def _warm_up_models(container: Container) -> None:
    """Loads the local models in use, one after the other, off the event loop; ``/status/health``
    reports each as loading until it is ready. A model that fails to load is logged and will be
    retried by its first request."""
    for model in container.local_models():
        started = time.perf_counter()
        try:
            await anyio.to_thread.run_sync(model.load)
        except Exception:
            log.exception("model failed to load", model=type(model).__name__)
            continue
        log.info("model loaded", model=type(model).__name__, seconds=round(time.perf_counter() - started, 2))
    freeze_again_if_tuned()


async def _ensure_first_admin(settings: Settings, container: Container) -> None:
    email, password = settings.auth.admin_email, settings.auth.admin_password
    if not (email and password):
        return
    try:
        ready = await container.ensure_admin()(email, password, only_if_none=True)
    except Exception as error:
        log.error("could not create the first admin", error=first_line(error))
        return
    if ready is not None and ready.created:
        log.info("first admin created from OVA_ADMIN_EMAIL", email=ready.user.email)
    elif ready is not None:
        log.warning("no active admin: OVA_ADMIN_EMAIL's existing account promoted, its password replaced "
                    "and its logins ended", email=ready.user.email)

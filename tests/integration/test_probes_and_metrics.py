"""Liveness, readiness and who may read /metrics: what a load balancer and a scraper see. Readiness
fails for each of its reasons: database, shared state, the chat model still loading, the external chat
engine not answering, draining."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from dependency_injector import providers

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.bootstrap import build_container
from ova.config import load_settings
from ova.entrypoints.app import create_app
from tests.e2e.server import FAKE_AI, free_port
from tests.fakes.chat_server import FakeChatServer
from tests.fakes.served import running
from tests.fakes.tcp_proxy import FreezableTcpProxy

TOKEN = "metrics-token-0123456789"


@asynccontextmanager
async def client_for(tmp_path: Path, *, ai: Mapping[str, str] = FAKE_AI, chat: object = None,
                     **environ: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app in process (its lifespan run), with the fake AI unless ``ai`` says otherwise, and
    ``chat`` as its chat model when given."""
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "p.db"), **ai, **environ}, env_file=tmp_path / "none")
    container = build_container(settings)
    if chat is not None:
        container.ai.chat.override(providers.Object(chat))
    app = create_app(settings, container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_live_and_ready_answer_when_every_dependency_does(tmp_path: Path) -> None:
    async with client_for(tmp_path) as client:
        live, ready = await client.get("/status/live"), await client.get("/status/ready")
    assert (live.status_code, live.json()) == (200, {"status": "alive"})
    everything_ok = {"database": "ok", "cache": "ok", "chat": "ok"}
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": everything_ok})


async def test_a_draining_process_is_not_ready_but_alive(tmp_path: Path) -> None:
    """Shutting down (its chat sessions are being closed): a load balancer must send it nothing new."""
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "p.db"), **FAKE_AI}, env_file=tmp_path / "none")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            before = await client.get("/status/ready")
            await app.state.chat_registry.close_all(0.1)
            live, ready = await client.get("/status/live"), await client.get("/status/ready")
    assert before.status_code == 200
    assert live.status_code == 200
    assert (ready.status_code, ready.json()) == (503, {"status": "not_ready", "checks": {"draining": "down"}})


async def test_an_unreachable_database_makes_the_service_not_ready_but_alive(tmp_path: Path) -> None:
    url = f"mysql+aiomysql://root@127.0.0.1:{free_port()}/ova"
    async with client_for(tmp_path, DATABASE_URL=url) as client:
        live, ready = await client.get("/status/live"), await client.get("/status/ready")
    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {"status": "not_ready", "checks": {"database": "down", "cache": "ok", "chat": "ok"}}


async def test_a_redis_outage_is_down_for_health_and_readiness(tmp_path: Path) -> None:
    async with client_for(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as client:
        health, ready = await client.get("/status/health"), await client.get("/status/ready")
    assert health.status_code == 503 and health.json()["status"] == "down"
    assert health.json()["checks"]["cache"]["status"] == "down"
    assert ready.status_code == 503 and ready.json()["checks"]["cache"] == "down"


class LoadingChatModel(FakeChatModel):
    """A chat model that runs here and whose load (the warm-up's) lasts until the test lets it end."""

    def __init__(self) -> None:
        super().__init__()
        self.may_finish = threading.Event()
        self.finished = threading.Event()
        self.loaded = False

    def load(self) -> None:
        self.may_finish.wait(timeout=30)
        self.loaded = True
        self.finished.set()


async def test_a_worker_whose_chat_model_is_still_loading_is_not_ready_until_it_has_loaded(tmp_path: Path) -> None:
    model = LoadingChatModel()
    async with client_for(tmp_path, chat=model) as client:
        loading, live = await client.get("/status/ready"), await client.get("/status/live")
        model.may_finish.set()
        await asyncio.to_thread(model.finished.wait, 30)
        loaded = await client.get("/status/ready")
    assert live.status_code == 200
    assert loading.status_code == 503
    assert loading.json() == {"status": "not_ready", "checks": {"database": "ok", "cache": "ok", "chat": "down"}}
    assert loaded.status_code == 200


async def test_an_external_chat_engine_down_makes_the_service_not_ready_until_it_is_back(tmp_path: Path) -> None:
    fake = FakeChatServer()
    with running(fake) as url:
        target = urlsplit(url)
        async with FreezableTcpProxy(target.hostname or "127.0.0.1", target.port or 0) as engine:
            external = {"CHAT_PROVIDER": "openai-compatible", "CHAT_API_URL": f"http://127.0.0.1:{engine.port}/v1",
                        "AI_PROBE_TTL_S": "0"}
            async with client_for(tmp_path, **external) as client:
                up = await client.get("/status/ready")
                engine.kill()
                down, health = await client.get("/status/ready"), await client.get("/status/health")
                engine.revive()
                back = await client.get("/status/ready")
    assert (up.status_code, up.json()["checks"]) == (200, {"database": "ok", "cache": "ok", "chat": "ok"})
    assert down.status_code == 503
    assert down.json() == {"status": "not_ready", "checks": {"database": "ok", "cache": "ok", "chat": "down"}}
    assert (health.status_code, health.json()["status"]) == (200, "degraded")
    assert health.json()["checks"]["chat"]["status"] == "down"
    assert back.status_code == 200
    assert fake.models_asked >= 2 and not fake.requests  # probed, never asked to answer


async def test_the_engine_probe_is_kept_for_its_ttl(tmp_path: Path) -> None:
    fake = FakeChatServer()
    with running(fake) as url:
        external = {"CHAT_PROVIDER": "openai-compatible", "CHAT_API_URL": f"{url}/v1", "AI_PROBE_TTL_S": "60"}
        async with client_for(tmp_path, **external) as client:
            answers = [await client.get("/status/ready") for _ in range(5)]
            await client.get("/status/health")
    assert {answer.status_code for answer in answers} == {200}
    assert fake.models_asked == 1


async def test_metrics_with_a_token_answer_only_to_that_token(tmp_path: Path) -> None:
    async with client_for(tmp_path, METRICS_TOKEN=TOKEN) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["code"] == "not_authenticated" and "METRICS_TOKEN" in missing.json()["detail"]
    assert right.status_code == 200 and "ova_http_requests_total" in right.text


async def test_metrics_are_open_in_development_and_closed_in_production_without_a_token(tmp_path: Path) -> None:
    async with client_for(tmp_path) as client:
        assert (await client.get("/metrics")).status_code == 200
    production = {"ENVIRONMENT": "production", "JWT_SECRET_KEY": "p" * 40, "ALLOW_SQLITE_IN_PRODUCTION": "true",
                  "ALLOWED_ORIGINS": "https://ova.example"}
    async with client_for(tmp_path, ai={}, **production) as client:  # fake models are refused in production
        assert (await client.get("/metrics")).status_code == 401
    async with client_for(tmp_path, ai={}, **production, METRICS_TOKEN=TOKEN) as client:
        assert (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 200

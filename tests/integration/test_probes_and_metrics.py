"""Liveness, readiness and who may read /metrics: what a load balancer and a scraper see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from ova.config import load_settings
from ova.entrypoints.app import create_app
from tests.e2e.server import free_port

TOKEN = "metrics-token-0123456789"


@asynccontextmanager
async def client_for(tmp_path: Path, **environ: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "p.db"), **environ}, env_file=tmp_path / "none")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_live_and_ready_answer_when_every_dependency_does(tmp_path: Path) -> None:
    async with client_for(tmp_path) as client:
        live, ready = await client.get("/status/live"), await client.get("/status/ready")
    assert (live.status_code, live.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": {"database": "ok", "cache": "ok"}})


async def test_a_draining_process_is_not_ready_but_alive(tmp_path: Path) -> None:
    """Shutting down (its chat sessions are being closed): a load balancer must send it nothing new."""
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "p.db")}, env_file=tmp_path / "none")
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
    assert ready.json() == {"status": "not_ready", "checks": {"database": "down", "cache": "ok"}}


async def test_a_redis_outage_is_down_for_health_and_readiness(tmp_path: Path) -> None:
    async with client_for(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as client:
        health, ready = await client.get("/status/health"), await client.get("/status/ready")
    assert health.status_code == 503 and health.json()["status"] == "down"
    assert health.json()["checks"]["cache"]["status"] == "down"
    assert ready.status_code == 503 and ready.json()["checks"]["cache"] == "down"


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
    async with client_for(tmp_path, **production) as client:
        assert (await client.get("/metrics")).status_code == 401
    async with client_for(tmp_path, **production, METRICS_TOKEN=TOKEN) as client:
        assert (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 200

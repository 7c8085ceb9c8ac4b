"""What clients see when something breaks: JSON, a request id, never a traceback."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ova.config import load_settings
from ova.entrypoints.app import create_app
from tests.e2e.server import free_port


async def boom(request: Request) -> Response:
    raise RuntimeError("secret internal detail")


async def test_an_unexpected_error_is_a_json_500_with_the_request_id(tmp_path: Path) -> None:
    app = create_app(load_settings({"SQLITE_PATH": str(tmp_path / "x.db")}, env_file=tmp_path / "none"))
    app.router.routes.append(Route("/boom", boom))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "req-42", "Origin": "http://localhost:3000"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error" and "req-42" in body["detail"]
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] == "req-42"
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"


async def test_an_unreachable_database_is_a_503_not_a_500(tmp_path: Path) -> None:
    url = f"mysql+aiomysql://root@127.0.0.1:{free_port()}/ova"
    app = create_app(load_settings({"DATABASE_URL": url}, env_file=tmp_path / "none"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        registered = await client.post("/auth/register", json={"nombre": "A", "email": "a@example.org",
                                                               "password": "password-a"})
        health = await client.get("/status/health")
    assert registered.status_code == 503
    assert registered.json()["code"] == "database_unavailable" and "Retry-After" in registered.headers
    assert health.status_code == 503
    assert health.json()["status"] == "down" and health.json()["checks"]["database"]["status"] == "down"
    await app.state.container.engine().dispose()

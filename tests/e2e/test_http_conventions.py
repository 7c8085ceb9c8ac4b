from __future__ import annotations

import httpx
import pytest

from ova.adapters.sqlalchemy.migrator import head
from tests.e2e.conftest import Account

ORIGIN = "http://localhost:3000"


def test_a_preflight_from_the_web_client_is_allowed(client: httpx.Client) -> None:
    response = client.options("/auth/login", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    })
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert response.headers["access-control-max-age"] == "3600"
    assert "access-control-allow-credentials" not in response.headers


def test_an_unknown_origin_is_not_allowed(client: httpx.Client) -> None:
    response = client.get("/status", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_headers_let_the_client_read_the_total_count(client: httpx.Client, admin: Account) -> None:
    response = client.get("/usuarios", headers={**admin.headers, "Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "x-total-count" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize("path", ["/status", "/status/", "/chat/health", "/api/chat/health", "/api/status",
                                  "/api/status/", "/docs", "/docs/", "/openapi.json"])
def test_probe_and_alias_paths_answer_directly_without_redirects(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)


def test_a_trailing_slash_reaches_the_same_route(client: httpx.Client, admin: Account) -> None:
    with_slash = client.get("/usuarios/", headers=admin.headers)
    assert with_slash.status_code == 200 and isinstance(with_slash.json(), list)


def test_status_is_online_and_names_the_version(client: httpx.Client) -> None:
    body = client.get("/chat/health").json()
    assert body["status"] == "online" and body["version"] and body["timestamp"].endswith("Z")
    assert body["uptime_s"] >= 0


def test_health_reports_the_database_and_the_cache(client: httpx.Client, admin: Account) -> None:
    body = client.get("/status/health", headers=admin.headers).json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok" and body["checks"]["database"]["provider"] == "sqlite"
    assert body["checks"]["cache"]["provider"] == "memory"


def test_websocket_status_reports_four_counts(client: httpx.Client) -> None:
    body = client.get("/status/websocket").json()
    assert set(body) == {"active_connections", "total_connections", "messages_processed", "active_generations"}
    assert all(isinstance(value, int) and value >= 0 for value in body.values())


def test_database_status_is_for_admins_and_shows_the_revision(client: httpx.Client, admin: Account,
                                                              user: Account) -> None:
    assert client.get("/status/database", headers=user.headers).status_code == 403
    body = client.get("/status/database", headers=admin.headers).json()
    assert body["backend"] == "sqlite" and body["revision"] == head() and body["latency_ms"] >= 0


def test_every_response_carries_a_request_id_and_echoes_a_given_one(client: httpx.Client) -> None:
    assert len(client.get("/status").headers["x-request-id"]) >= 16
    assert client.get("/nowhere").headers["x-request-id"]
    echoed = client.get("/status", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    forged = client.get("/status", headers={"X-Request-ID": "bad id\twith spaces"})
    assert forged.headers["x-request-id"] != "bad id\twith spaces"


def test_unknown_routes_and_methods_answer_json_errors(client: httpx.Client) -> None:
    missing = client.get("/no/such/route")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = client.delete("/status")
    assert wrong.status_code == 405 and isinstance(wrong.json()["detail"], str)


def test_get_and_delete_with_a_json_content_type_and_no_body_are_fine(client: httpx.Client, admin: Account) -> None:
    headers = {**admin.headers, "Content-Type": "application/json"}
    assert client.get("/auth/me", headers=headers).status_code == 200
    message = client.post("/contacto/enviar", json={"nombre": "N", "email": "n@example.org",
                                                    "mensaje": "un mensaje suficientemente largo"}).json()
    assert client.delete(f"/contacto/{message['id']}", headers=headers).status_code == 204


def test_docs_are_served_from_local_assets(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/auth/login" in document["paths"] and "/api/contactos/{message_id}" in document["paths"]


def test_metrics_count_requests_by_route_and_status(client: httpx.Client) -> None:
    client.get("/status")
    client.get("/no/such/route")
    text = client.get("/metrics").text
    assert 'ova_http_requests_total{method="GET",route="/status",status="200"}' in text
    assert 'route="unmatched",status="404"' in text
    assert "ova_http_request_duration_seconds_bucket" in text

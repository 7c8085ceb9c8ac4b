"""Operational detail is for operators (issue 12, item 15): anonymous ``/status`` and
``/status/health`` answer what probes and the published client need (statuses, no provider, circuit,
error or host:pid); an admin's token or ``Bearer <METRICS_TOKEN>`` gets the detail. Any other
credential is treated as none: a health probe never fails for its header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Account, new_account
from tests.e2e.server import admin_headers, running_server, server_env

METRICS_TOKEN = "operator-token-0123456789"
OPERATOR_FIELDS = {"provider", "model", "circuit", "detail"}


@pytest.fixture(scope="module")
def operator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("operator")
    with running_server(server_env(tmp, {"METRICS_TOKEN": METRICS_TOKEN})) as url:
        yield url


@pytest.fixture
def http(operator_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=operator_url, timeout=30) as client:
        yield client


def anonymous_headers(http: httpx.Client) -> list[dict[str, str]]:
    """No header, a user's token, a token that is not one, and a wrong metrics token."""
    user: Account = new_account(http, "Curioso")
    return [{}, user.headers, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Bearer wrong"},
            {"Authorization": "Basic YTpi"}]


def operator_headers(operator_url: str) -> list[dict[str, str]]:
    return [admin_headers(operator_url), {"Authorization": f"Bearer {METRICS_TOKEN}"}]


@pytest.mark.parametrize("path", ["/status", "/api/status", "/chat/health"])
def test_status_names_the_process_only_to_an_operator(http: httpx.Client, operator_url: str, path: str) -> None:
    for headers in anonymous_headers(http):
        body = http.get(path, headers=headers).json()
        assert body["status"] == "online" and body["version"] and "uptime_s" in body
        assert "instance" not in body, headers
    for headers in operator_headers(operator_url):
        instance = http.get(path, headers=headers).json()["instance"]
        assert instance.rsplit(":", 1)[-1].isdigit()


def test_anonymous_health_shows_each_checks_status_only(http: httpx.Client) -> None:
    for headers in anonymous_headers(http):
        response = http.get("/status/health", headers=headers)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] in ("ok", "degraded") and "instance" not in body
        assert {"database", "cache", "chat", "tts"} <= set(body["checks"])
        for name, check in body["checks"].items():
            assert set(check) == {"status", "latency_ms"}, (name, check)


def test_an_operator_sees_providers_circuits_and_the_instance(http: httpx.Client, operator_url: str) -> None:
    for headers in operator_headers(operator_url):
        body = http.get("/status/health", headers=headers).json()
        assert body["instance"].rsplit(":", 1)[-1].isdigit()
        assert body["checks"]["database"]["provider"] == "sqlite"
        assert body["checks"]["cache"]["provider"] == "memory"
        assert body["checks"]["chat"]["provider"] == "fake"
        assert body["checks"]["chat"]["model"] == "fake-chat"  # the model each capability runs
        assert body["checks"]["database"]["model"] is None
        assert all(set(check) >= OPERATOR_FIELDS for check in body["checks"].values())

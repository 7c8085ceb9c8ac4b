"""Accounts across two hosts behind the balancer: what one host decides, the other enforces at once."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.cluster.rig import LOGIN_MAX_FAILURES, Cluster
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.cluster


def _register(client: httpx.Client) -> tuple[str, str]:
    email, password = f"cluster-{secrets.token_hex(4)}@example.org", "password-" + secrets.token_hex(4)
    created = client.post("/auth/register", json={"nombre": "Cluster", "email": email, "password": password})
    assert created.status_code == 201, created.text
    return email, password


def _login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/auth/login", json={"email": email, "password": password})


def _logged_in_on(client: httpx.Client) -> dict[str, Any]:
    """A new account, registered and logged in on ``client``'s host: the login's body (tokens and user)."""
    email, password = _register(client)
    body: dict[str, Any] = _login(client, email, password).json()
    return body


def _bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


def test_the_balancer_serves_from_both_hosts(cluster: Cluster) -> None:
    with cluster.client() as client:
        served = {cluster.host_of(client) for _ in range(6)}
    assert served == set(cluster.hosts)


def test_failed_logins_count_the_client_behind_the_balancer_not_the_balancer(cluster: Cluster) -> None:
    """Item 1: HAProxy adds X-Forwarded-For and the hosts trust it from the balancer only
    (TRUSTED_PROXIES), so one address guessing accounts does not lock everybody out."""
    guesser, admin = cluster.network.add_client_address(), cluster.network.add_client_address()
    with cluster.client(guesser) as client:
        statuses = [
            _login(client, f"nobody-{n}-{secrets.token_hex(3)}@example.org", "wrong-password").status_code
            for n in range(LOGIN_MAX_FAILURES + 1)
        ]
        # round robin spread them over both hosts, and the count is shared: the limit holds across hosts
        assert statuses == [401] * LOGIN_MAX_FAILURES + [429]
        assert _login(client, "nobody@example.org", "x" * 12).status_code == 429
    with cluster.client(admin) as client:
        for _ in range(2):  # round robin: once on each host
            assert _login(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200


def test_a_logout_on_one_host_is_refused_on_the_other_at_once(cluster: Cluster) -> None:
    first, second = cluster.hosts
    with cluster.client(base=first.base) as one, cluster.client(base=second.base) as other:
        tokens = _logged_in_on(one)
        headers = _bearer(tokens)
        assert one.get("/auth/me", headers=headers).status_code == 200
        assert other.post("/auth/logout", headers=headers,
                          json={"refresh_token": tokens["refresh_token"]}).status_code == 204
        assert one.get("/auth/me", headers=headers).status_code == 401
        assert one.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_a_reused_refresh_token_on_the_other_host_ends_the_session_everywhere(cluster: Cluster) -> None:
    first, second = cluster.hosts
    with cluster.client(base=first.base) as one, cluster.client(base=second.base) as other:
        stolen = _logged_in_on(one)["refresh_token"]
        rotated = one.post("/auth/refresh", json={"refresh_token": stolen})
        assert rotated.status_code == 200, rotated.text
        assert other.post("/auth/refresh", json={"refresh_token": stolen}).status_code == 401  # reuse
        # the reuse revoked the whole family: the legitimate, rotated token is refused on either host
        fresh = rotated.json()["refresh_token"]
        assert one.post("/auth/refresh", json={"refresh_token": fresh}).status_code == 401


def test_an_account_disabled_on_one_host_is_refused_on_the_other(cluster: Cluster) -> None:
    first, second = cluster.hosts
    with cluster.client(base=first.base) as one, cluster.client(base=second.base) as other:
        body = _logged_in_on(one)
        headers = _bearer(body)
        disabled = other.put(f"/usuarios/{body['user']['id']}", headers=cluster.admin_headers,
                             json={"activo": False})
        assert disabled.status_code == 200, disabled.text
        assert one.get("/auth/me", headers=headers).status_code in (401, 403)

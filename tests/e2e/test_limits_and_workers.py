"""Rate limits through a real server; and two workers sharing state through Redis."""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.e2e.chat_client import chat, closing_frame
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, admin_headers, running_server, server_env, server_pid
from tests.e2e.workers import REDIS_URL, clients_on_two_workers, redis_cleaned_up


def register(client: httpx.Client, email: str, password: str) -> None:
    response = client.post("/auth/register", json={"nombre": "Límite", "email": email, "password": password})
    assert response.status_code == 201, response.text


def test_failed_logins_past_the_limit_get_429_with_retry_after(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"LOGIN_MAX_FAILURES": "3"})
    with running_server(env) as base, httpx.Client(base_url=base, timeout=30) as client:
        register(client, "limit@example.org", "the-right-password")
        for _ in range(3):
            wrong = client.post("/auth/login", json={"email": "limit@example.org", "password": "wrong-password"})
            assert wrong.status_code == 401
        limited = client.post("/auth/login", json={"email": "limit@example.org", "password": "the-right-password"})
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["code"] == "rate_limited" and isinstance(limited.json()["detail"], str)


def _client_from(base: str, address: str) -> httpx.Client:
    """A client whose connections leave from ``address`` (any 127.x.y.z reaches the loopback server)."""
    return httpx.Client(base_url=base, timeout=30, transport=httpx.HTTPTransport(local_address=address))


def test_an_attacker_at_one_address_cannot_lock_the_owner_out(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"LOGIN_MAX_FAILURES": "3", "LOGIN_MAX_FAILURES_PER_ACCOUNT": "5"})
    with ExitStack() as stack:
        base = stack.enter_context(running_server(env))
        attacker, owner, other, late = (stack.enter_context(_client_from(base, f"127.0.0.{n}")) for n in (1, 2, 3, 4))
        register(owner, "owner@example.org", "the-right-password")
        guess = {"email": "owner@example.org", "password": "wrong-password"}
        for _ in range(3):
            assert attacker.post("/auth/login", json=guess).status_code == 401
        stopped = attacker.post("/auth/login", json=guess)
        assert stopped.status_code == 429 and int(stopped.headers["Retry-After"]) >= 1

        right = {"email": "owner@example.org", "password": "the-right-password"}
        assert owner.post("/auth/login", json=right).status_code == 200, "the owner at another address gets in"

        for _ in range(2):  # 3 + 2 failures: the account's ceiling, whatever the address
            assert other.post("/auth/login", json=guess).status_code == 401
        ceiling = late.post("/auth/login", json=right)
        assert ceiling.status_code == 429 and int(ceiling.headers["Retry-After"]) >= 1


def test_registrations_past_the_limit_get_429(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"REGISTER_MAX_PER_HOUR": "2"})
    with running_server(env) as base, httpx.Client(base_url=base, timeout=30) as client:
        register(client, "r1@example.org", "password-one")
        register(client, "r2@example.org", "password-two")
        third = client.post("/auth/register", json={"nombre": "T", "email": "r3@example.org",
                                                    "password": "password-three"})
        assert third.status_code == 429 and "Retry-After" in third.headers


@pytest.fixture
def redis_prefix_cleanup() -> Iterator[None]:
    yield from redis_cleaned_up()


def test_two_workers_with_redis_behave_as_one_service(tmp_path: Path, redis_prefix_cleanup: None) -> None:
    env = server_env(tmp_path, {"REDIS_URL": REDIS_URL, "LOGIN_MAX_FAILURES": "4"})
    with running_server(env, workers=2) as base:
        operator = admin_headers(base)  # before the failed logins below use up the address's limit
        a, b = clients_on_two_workers(base)
        try:
            password = "shared-state-password"
            email = f"workers-{secrets.token_hex(3)}@example.org"
            register(a, email, password)
            pair = a.post("/auth/login", json={"email": email, "password": password}).json()
            headers = {"Authorization": f"Bearer {pair['access_token']}"}
            assert b.get("/auth/me", headers=headers).status_code == 200
            assert a.post("/auth/logout", headers=headers).status_code == 204
            refused = b.get("/auth/me", headers=headers)
            assert refused.status_code == 401, "a token revoked through one worker must be refused by the other"

            for client in (a, b, a, b):
                wrong = client.post("/auth/login", json={"email": email, "password": "wrong-password"})
                assert wrong.status_code == 401
            for client in (a, b):
                limited = client.post("/auth/login", json={"email": email, "password": password})
                assert limited.status_code == 429, "failures through both workers count against one limit"
            assert b.get("/status/health", headers=operator).json()["checks"]["cache"]["provider"] == "redis"
        finally:
            a.close()
            b.close()


def test_two_workers_with_redis_refuse_a_disabled_or_demoted_account_at_once(
    tmp_path: Path, redis_prefix_cleanup: None
) -> None:
    """Each worker keeps accounts in memory between requests; a change through one worker must reach
    the other on its very next request, however warm its copy."""
    env = server_env(tmp_path, {"REDIS_URL": REDIS_URL})
    with running_server(env, workers=2) as base:
        a, b = clients_on_two_workers(base)
        try:
            admin = a.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
            as_admin = {"Authorization": f"Bearer {admin['access_token']}"}
            accounts = []
            for name in ("disabled", "demoted", "deleted"):
                email = f"{name}-{secrets.token_hex(3)}@example.org"
                register(a, email, "password-" + name)
                login = a.post("/auth/login", json={"email": email, "password": "password-" + name}).json()
                accounts.append((login["user"]["id"], {"Authorization": f"Bearer {login['access_token']}"}))
            (disabled, disabled_auth), (demoted, demoted_auth), (deleted, deleted_auth) = accounts
            promoted = a.put(f"/usuarios/{demoted}", json={"rol": "admin"}, headers=as_admin)
            assert promoted.status_code == 200, promoted.text
            for _, headers in accounts:  # warm both workers' copies
                for client in (a, b, a, b):
                    assert client.get("/auth/me", headers=headers).status_code == 200
            assert b.get("/usuarios", headers=demoted_auth).status_code == 200

            assert a.put(f"/usuarios/{disabled}", json={"activo": False}, headers=as_admin).status_code == 200
            refused = b.get("/auth/me", headers=disabled_auth)
            assert refused.status_code == 401, "an account disabled through one worker must be refused by the other"

            assert a.put(f"/usuarios/{demoted}", json={"rol": "usuario"}, headers=as_admin).status_code == 200
            assert b.get("/usuarios", headers=demoted_auth).status_code == 403, "a demotion applies at once"
            assert b.get("/auth/me", headers=demoted_auth).json()["rol"] == "usuario"

            assert a.delete(f"/usuarios/{deleted}", headers=as_admin).status_code == 204
            assert b.get("/auth/me", headers=deleted_auth).status_code == 401

            assert a.put(f"/usuarios/{disabled}", json={"activo": True}, headers=as_admin).status_code == 200
            assert b.get("/auth/me", headers=disabled_auth).status_code == 200, "re-enabled: let in at once"
        finally:
            a.close()
            b.close()


def test_a_stopped_server_takes_its_chat_connections_out_of_the_shared_counts(
    tmp_path: Path, redis_prefix_cleanup: None
) -> None:
    """/status/websocket sums the workers' leases in Redis: a worker that stops with sockets open
    gives its lease back, or every later reading would count connections that no longer exist."""
    env = server_env(tmp_path, {"REDIS_URL": REDIS_URL, "WS_SHUTDOWN_GRACE_S": "0.5"})
    with running_server(env) as base, ExitStack() as stack:
        clients = [stack.enter_context(chat(base)) for _ in range(3)]
        for client in clients:
            assert closing_frame(client.ask("hola"))["type"] == "text"
        clients[0].send({"type": "text", "text": "!slow 1 100"})  # one answer still running at the stop
        assert clients[0].receive()["type"] == "typing"
        status = httpx.get(base + "/status/websocket").json()
        assert (status["active_connections"], status["active_generations"]) == (3, 1)
        pid = server_pid(base)
        os.kill(pid, signal.SIGTERM)
        assert [client.close_code(timeout=20) for client in clients] == [1012] * 3
    with running_server(env) as base:
        status = httpx.get(base + "/status/websocket").json()
    assert (status["active_connections"], status["active_generations"]) == (0, 0)
    assert status["total_connections"] == 3


def test_a_killed_server_drops_out_of_the_shared_counts_when_its_lease_runs_out(
    tmp_path: Path, redis_prefix_cleanup: None
) -> None:
    """kill -9 gives nothing back: the connections it held still count until its lease (2 s here)
    runs out, then not at all (before leases they counted for ever)."""
    env = server_env(tmp_path, {"REDIS_URL": REDIS_URL, "WS_LEASE_TTL_S": "2"})
    with running_server(env) as base, ExitStack() as stack:
        clients = [stack.enter_context(chat(base)) for _ in range(2)]
        for client in clients:
            assert closing_frame(client.ask("hola"))["type"] == "text"
        assert httpx.get(base + "/status/websocket").json()["active_connections"] == 2
        os.kill(server_pid(base), signal.SIGKILL)
        time.sleep(0.2)
        with running_server(env) as other:
            counted = httpx.get(other + "/status/websocket").json()["active_connections"]
            deadline = time.monotonic() + 10
            while counted and time.monotonic() < deadline:
                time.sleep(0.25)
                counted = httpx.get(other + "/status/websocket").json()["active_connections"]
    assert counted == 0

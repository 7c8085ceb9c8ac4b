"""A new password through the real server ends the account's other logins, access and refresh
tokens alike; the login that changed its own password keeps working. Also across two workers
sharing Redis, and with ``ova admin create`` run beside the server."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Account, login, new_account
from tests.e2e.server import running_server, server_env
from tests.e2e.workers import REDIS_URL, clients_on_two_workers, redis_cleaned_up


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def second_login(client: httpx.Client, account: Account) -> Account:
    body = login(client, account.email, account.password).json()
    return Account(account.id, account.email, account.password, body["access_token"], body["refresh_token"])


def assert_refused(clients: list[httpx.Client], account: Account) -> None:
    for client in clients:
        assert client.get("/auth/me", headers=account.headers).status_code == 401
        put = client.put(f"/usuarios/{account.id}", headers=account.headers, json={"nombre": "Intruso"})
        assert put.status_code == 401
    refreshed = clients[0].post("/auth/refresh", json={"refresh_token": account.refresh_token})
    assert refreshed.status_code == 401


def test_an_own_password_change_ends_the_other_login_and_keeps_this_one(client: httpx.Client) -> None:
    first = new_account(client, "Cambio")
    second = second_login(client, first)

    changed = client.put(f"/usuarios/{first.id}", headers=first.headers, json={"password": "otra-clave-nueva"})
    assert changed.status_code == 200, changed.text

    assert_refused([client], second)
    assert client.get("/auth/me", headers=first.headers).status_code == 200
    renewed = client.post("/auth/refresh", json={"refresh_token": first.refresh_token})
    assert renewed.status_code == 200, "the login that changed the password keeps its refresh token"
    assert client.get("/auth/me", headers=bearer(renewed.json()["access_token"])).status_code == 200
    assert login(client, first.email, first.password).status_code == 401
    assert login(client, first.email, "otra-clave-nueva").status_code == 200


def test_an_admin_reset_ends_every_login_of_the_account(client: httpx.Client, admin: Account) -> None:
    first = new_account(client, "Reset")
    second = second_login(client, first)

    reset = client.put(f"/usuarios/{first.id}", headers=admin.headers, json={"password": "clave-del-admin"})
    assert reset.status_code == 200, reset.text

    assert_refused([client], first)
    assert_refused([client], second)
    assert client.get("/auth/me", headers=admin.headers).status_code == 200


@pytest.fixture
def redis_cleanup() -> Iterator[None]:
    yield from redis_cleaned_up()


def test_two_workers_and_the_cli_end_the_other_logins_at_once(tmp_path: Path, redis_cleanup: None) -> None:
    env = server_env(tmp_path, {"REDIS_URL": REDIS_URL})
    with running_server(env, workers=2) as base:
        a, b = clients_on_two_workers(base)
        try:
            first = new_account(a, f"Workers{secrets.token_hex(2)}")
            second = second_login(b, first)
            for client in (a, b, a, b):  # warm both workers' copies of the account
                assert client.get("/auth/me", headers=second.headers).status_code == 200

            changed = a.put(f"/usuarios/{first.id}", headers=first.headers, json={"password": "clave-de-a-1"})
            assert changed.status_code == 200, changed.text
            assert_refused([b, a], second)
            for client in (a, b):
                assert client.get("/auth/me", headers=first.headers).status_code == 200

            cli = subprocess.run(
                [sys.executable, "-m", "ova", "admin", "create", "--email", first.email, "--password", "clave-de-cli"],
                env=env, capture_output=True, text=True, timeout=120, check=False,
            )
            assert cli.returncode == 0, cli.stderr
            assert "password replaced, every other login ended" in cli.stdout
            assert_refused([b, a], first)
            pair = login(a, first.email, "clave-de-cli").json()
            assert b.get("/auth/me", headers=bearer(pair["access_token"])).json()["rol"] == "admin"
        finally:
            a.close()
            b.close()

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from attrs import frozen

from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, running_server, server_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("e2e")
    with running_server(server_env(tmp)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as http:
        yield http


@frozen
class Account:
    id: int
    email: str
    password: str
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/auth/login", json={"email": email, "password": password})


def new_account(client: httpx.Client, name: str = "Persona") -> Account:
    email = f"{name.lower()}-{secrets.token_hex(4)}@example.org"
    password = "password-" + secrets.token_hex(4)
    registered = client.post("/auth/register", json={"nombre": name, "email": email, "password": password})
    assert registered.status_code == 201, registered.text
    body = login(client, email, password).json()
    return Account(registered.json()["id"], email, password, body["access_token"], body["refresh_token"])


@pytest.fixture
def user(client: httpx.Client) -> Account:
    return new_account(client, "Usuario")


@pytest.fixture
def other_user(client: httpx.Client) -> Account:
    return new_account(client, "Otro")


@pytest.fixture
def admin(client: httpx.Client) -> Account:
    response = login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    return Account(body["user"]["id"], ADMIN_EMAIL, ADMIN_PASSWORD, body["access_token"], body["refresh_token"])

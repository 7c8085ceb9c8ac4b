"""Email addresses through a real server: internationalized local parts register and log in (in
any case), malformed ones get 422 on every route that takes an email, as the README says."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.e2e.conftest import Account, login

PASSWORD = "password-intl-1234"


@pytest.mark.parametrize("local", ["josé", "straße", "用户", "δοκιμή"])
def test_an_internationalized_local_part_registers_and_logs_in_in_any_case(client: httpx.Client, local: str) -> None:
    email = f"{local}.{secrets.token_hex(3)}@example.org"
    registered = client.post("/auth/register", json={"nombre": "Intl", "email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    assert registered.json()["email"] == email.lower()

    shouted = email.upper() if email.upper().lower() == email else email.title()  # "ß".upper() is "SS"
    assert shouted != email and shouted.lower() == email
    for typed in (email, shouted, f"  {email} "):
        answer = login(client, typed, PASSWORD)
        assert answer.status_code == 200, (typed, answer.text)
        assert answer.json()["user"]["id"] == registered.json()["id"]


def test_the_accented_and_the_plain_local_part_are_different_accounts(client: httpx.Client) -> None:
    tag = secrets.token_hex(3)
    ids = set()
    for local in ("josé", "jose"):
        answer = client.post("/auth/register", json={"nombre": "J", "email": f"{local}.{tag}@example.org",
                                                     "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        ids.add(answer.json()["id"])
    assert len(ids) == 2


@pytest.mark.parametrize("email", [".@0.0", ".ana@example.org", "ana.@example.org", "ana@example.c0m",
                                   "ana@127.0.0.1", "josé@ñandú.org", "ana\u200b@example.org"])
def test_a_malformed_address_is_422_everywhere(client: httpx.Client, admin: Account, email: str) -> None:
    attempts = [
        client.post("/auth/register", json={"nombre": "X", "email": email, "password": PASSWORD}),
        client.post("/usuarios", headers=admin.headers, json={"nombre": "X", "email": email}),
        client.post("/contacto/enviar", json={"nombre": "Luis", "apellido": "Pérez", "email": email,
                                              "asunto": "Hola", "mensaje": "Un mensaje de contacto válido."}),
    ]
    for answer in attempts:
        assert answer.status_code == 422, answer.text
        assert {e["field"] for e in answer.json()["errors"]} == {"email"}
    assert login(client, email, PASSWORD).status_code == 401

from __future__ import annotations

import httpx

from tests.e2e.conftest import Account, login, new_account


def test_register_login_me_refresh_logout_then_the_old_tokens_are_refused(client: httpx.Client) -> None:
    registered = client.post("/auth/register", json={"nombre": "Ana", "email": "Ana.E2E@Example.org",
                                                     "password": "una clave larga"})
    assert registered.status_code == 201
    user = registered.json()
    assert user["email"] == "ana.e2e@example.org" and user["rol"] == "usuario" and user["activo"] is True
    assert "password" not in str(user).replace("tiene_password", "")

    logged = login(client, "ana.e2e@example.org", "una clave larga")
    assert logged.status_code == 200
    pair = logged.json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 1800
    assert pair["user"]["id"] == user["id"]
    headers = {"Authorization": f"Bearer {pair['access_token']}"}

    me = client.get("/auth/me", headers=headers)
    assert me.status_code == 200 and me.json()["email"] == "ana.e2e@example.org"

    refreshed = client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200
    new_pair = refreshed.json()
    assert new_pair["refresh_token"] != pair["refresh_token"]
    new_headers = {"Authorization": f"Bearer {new_pair['access_token']}"}
    assert client.get("/auth/me", headers=new_headers).status_code == 200

    assert client.post("/auth/logout", headers=new_headers,
                       json={"refresh_token": new_pair["refresh_token"]}).status_code == 204
    for stale in (headers, new_headers):
        refused = client.get("/auth/me", headers=stale)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        assert isinstance(refused.json()["detail"], str)
    assert client.post("/auth/refresh", json={"refresh_token": new_pair["refresh_token"]}).status_code == 401


def test_the_oauth2_password_form_logs_in_like_the_published_client(client: httpx.Client, user: Account) -> None:
    response = client.post("/api/auth/token", data={"username": user.email, "password": user.password})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"access_token", "token_type", "expires_in", "refresh_token"}
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == user.email
    wrong = client.post("/api/auth/token", data={"username": user.email, "password": "not the password"})
    assert wrong.status_code == 401


def test_the_alias_logout_revokes_the_token(client: httpx.Client, user: Account) -> None:
    assert client.post("/api/auth/logout", headers=user.headers).status_code == 204
    assert client.get("/auth/me", headers=user.headers).status_code == 401


def test_a_refresh_token_used_twice_ends_the_whole_session(client: httpx.Client, user: Account) -> None:
    first = client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    assert first.status_code == 200
    replay = client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    assert replay.status_code == 401
    assert replay.json()["code"] == "refresh_token_reused"
    newest = first.json()
    assert client.post("/auth/refresh", json={"refresh_token": newest["refresh_token"]}).status_code == 401
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {newest['access_token']}"}).status_code == 401


def test_unknown_email_and_wrong_password_get_the_same_answer(client: httpx.Client, user: Account) -> None:
    wrong_password = login(client, user.email, "definitely wrong")
    unknown = login(client, "nobody-at-all@example.org", "definitely wrong")
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json() == unknown.json()


def test_registering_a_taken_email_is_a_conflict(client: httpx.Client) -> None:
    account = new_account(client, "Dup")
    again = client.post("/auth/register", json={"nombre": "X", "email": account.email.upper(),
                                                "password": "password-x"})
    assert again.status_code == 409 and again.json()["code"] == "email_taken"

from __future__ import annotations

import httpx

from tests.e2e.conftest import Account, login


def test_admins_list_search_and_page_through_users(client: httpx.Client, admin: Account, user: Account) -> None:
    listed = client.get("/usuarios", headers=admin.headers, params={"limit": 1})
    assert listed.status_code == 200
    assert isinstance(listed.json(), list) and len(listed.json()) == 1
    assert int(listed.headers["X-Total-Count"]) >= 2
    found = client.get("/usuarios", headers=admin.headers, params={"q": user.email.upper()}).json()
    assert [u["id"] for u in found] == [user.id]
    assert set(found[0]) >= {"id", "nombre", "email", "fecha_registro"}
    capped = client.get("/usuarios", headers=admin.headers, params={"limit": 100000})
    assert capped.status_code == 200


def test_admins_create_update_and_delete_users(client: httpx.Client, admin: Account) -> None:
    created = client.post("/usuarios", headers=admin.headers,
                          json={"nombre": "Lista", "email": "lista-e2e@example.org"})
    assert created.status_code == 201
    new_id = created.json()["id"]
    assert created.json()["tiene_password"] is False
    assert login(client, "lista-e2e@example.org", "anything-at-all").status_code == 401

    updated = client.put(f"/usuarios/{new_id}", headers=admin.headers,
                         json={"password": "ahora-tiene-clave", "rol": "admin"})
    assert updated.status_code == 200 and updated.json()["rol"] == "admin"
    assert login(client, "lista-e2e@example.org", "ahora-tiene-clave").status_code == 200

    assert client.delete(f"/usuarios/{new_id}", headers=admin.headers).status_code == 204
    assert client.get(f"/usuarios/{new_id}", headers=admin.headers).status_code == 404


def test_the_last_admin_cannot_be_demoted_or_deleted(client: httpx.Client, admin: Account) -> None:
    demoted = client.put(f"/usuarios/{admin.id}", headers=admin.headers, json={"rol": "usuario"})
    assert demoted.status_code == 409 and demoted.json()["code"] == "last_admin"
    assert client.delete(f"/usuarios/{admin.id}", headers=admin.headers).status_code == 409
    assert client.get("/auth/me", headers=admin.headers).json()["rol"] == "admin"


def test_a_user_edits_themself_but_cannot_promote_themself(client: httpx.Client, user: Account) -> None:
    renamed = client.put(f"/usuarios/{user.id}", headers=user.headers, json={"nombre": "Nuevo Nombre"})
    assert renamed.status_code == 200 and renamed.json()["nombre"] == "Nuevo Nombre"
    promoted = client.put(f"/usuarios/{user.id}", headers=user.headers, json={"rol": "admin"})
    assert promoted.status_code == 403
    assert client.get("/auth/me", headers=user.headers).json()["rol"] == "usuario"


def test_the_published_client_alias_lists_users(client: httpx.Client, admin: Account) -> None:
    listed = client.get("/api/usuarios", headers={**admin.headers, "Content-Type": "application/json"})
    assert listed.status_code == 200
    assert all(set(u) >= {"id", "nombre", "email", "fecha_registro"} for u in listed.json())


def test_a_disabled_user_loses_access_at_once(client: httpx.Client, admin: Account, user: Account) -> None:
    assert client.put(f"/usuarios/{user.id}", headers=admin.headers, json={"activo": False}).status_code == 200
    assert client.get("/auth/me", headers=user.headers).status_code == 401
    assert login(client, user.email, user.password).status_code == 403

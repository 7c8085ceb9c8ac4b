from __future__ import annotations

import httpx

from tests.e2e.conftest import Account

MESSAGE = {"nombre": "Luis", "apellido": "Pérez", "email": "luis@example.org", "asunto": "Hola",
           "mensaje": "Texto <script>alert(1)</script> con emoji 🙂\ny dos líneas\tcon tab"}


def test_a_visitor_writes_and_an_admin_reads_marks_and_deletes(client: httpx.Client, admin: Account) -> None:
    sent = client.post("/contacto/enviar", json=MESSAGE)
    assert sent.status_code == 201
    message = sent.json()
    assert message["mensaje"] == MESSAGE["mensaje"] and message["leido"] is False
    assert message["fecha_envio"].endswith("Z")

    inbox = client.get("/contacto/mensajes", headers=admin.headers)
    assert inbox.status_code == 200 and inbox.json()[0]["id"] == message["id"]
    assert int(inbox.headers["X-Total-Count"]) >= 1

    read = client.put(f"/contacto/{message['id']}/leido", headers=admin.headers)
    assert read.status_code == 200 and read.json()["leido"] is True
    unread_ids = [m["id"] for m in client.get("/contacto/mensajes?leido=false", headers=admin.headers).json()]
    assert message["id"] not in unread_ids

    assert client.delete(f"/contacto/{message['id']}", headers=admin.headers).status_code == 204
    assert client.delete(f"/contacto/{message['id']}", headers=admin.headers).status_code == 404


def test_the_published_client_contact_aliases(client: httpx.Client, admin: Account) -> None:
    sent = client.post("/api/contactos", json=MESSAGE)
    assert sent.status_code == 201
    message_id = sent.json()["id"]
    json_headers = {**admin.headers, "Content-Type": "application/json"}
    assert client.get(f"/api/contactos/{message_id}", headers=json_headers).json()["asunto"] == "Hola"
    unread = client.get("/api/contactos", params={"solo_no_leidos": "true"}, headers=json_headers).json()
    assert message_id in [m["id"] for m in unread]
    patched = client.patch(f"/api/contactos/{message_id}", headers=admin.headers, json={"respondido": True})
    assert patched.status_code == 200 and patched.json()["respondido"] is True and patched.json()["leido"] is False
    assert client.delete(f"/api/contactos/{message_id}", headers=json_headers).status_code == 204


def test_a_too_short_message_is_refused_and_not_stored(client: httpx.Client, admin: Account) -> None:
    before = int(client.get("/contacto/mensajes", headers=admin.headers).headers["X-Total-Count"])
    refused = client.post("/contacto/enviar", json={**MESSAGE, "mensaje": "corto"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "mensaje"
    after = int(client.get("/contacto/mensajes", headers=admin.headers).headers["X-Total-Count"])
    assert after == before

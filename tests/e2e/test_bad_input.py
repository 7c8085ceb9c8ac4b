"""Bad input of every kind gets the right status and a JSON problem with a string ``detail``, and
nothing is stored. The server keeps answering afterwards (the last test checks ``/status/health``).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OctKey

from tests.e2e.chat_client import chat, closing_frame
from tests.e2e.conftest import Account, login
from tests.e2e.server import SECRET

MESSAGE = {"nombre": "Luis", "apellido": "Pérez", "email": "luis@example.org", "asunto": "Hola",
           "mensaje": "Un mensaje de contacto perfectamente válido."}


def problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Asserts the status and the contract's error shape; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code
    return body


def error_fields(response: httpx.Response) -> set[str]:
    body = problem(response, 422, "validation_error")
    assert all(isinstance(e["message"], str) and e["message"] for e in body["errors"])
    return {e["field"] for e in body["errors"]}


def total(client: httpx.Client, admin: Account, path: str) -> int:
    listed = client.get(path, headers=admin.headers, params={"limit": 1})
    assert listed.status_code == 200, listed.text
    return int(listed.headers["X-Total-Count"])


def _email() -> str:
    return f"malo-{secrets.token_hex(5)}@example.org"


def registration(**changes: Any) -> dict[str, Any]:
    return {"nombre": "Ana", "email": _email(), "password": "una clave larga", **changes}


@pytest.fixture
def nothing_stored(client: httpx.Client, admin: Account) -> Iterator[None]:
    """Around the test: the counts of users and contact messages do not change."""
    before = total(client, admin, "/usuarios"), total(client, admin, "/contacto/mensajes")
    yield
    assert (total(client, admin, "/usuarios"), total(client, admin, "/contacto/mensajes")) == before


def assert_not_registered(client: httpx.Client, admin: Account, body: dict[str, Any]) -> None:
    found = client.get("/usuarios", headers=admin.headers, params={"q": body["email"]})
    assert found.status_code == 200 and found.json() == []
    assert login(client, body["email"], body["password"]).status_code in (401, 422)  # 422: password > 1024


# ---------------------------------------------------------------- bodies


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("raw", [b'{"nombre": "Ana", "email": ', b"{'nombre': 'Ana'}", b"\xff\xfe{}", b"", b"nul"],
                         ids=["truncated", "single-quotes", "not-utf8", "empty", "bare-word"])
def test_a_body_that_is_not_json_is_400(client: httpx.Client, raw: bytes) -> None:
    for path in ("/auth/register", "/contacto/enviar"):
        response = client.post(path, content=raw, headers={"Content-Type": "application/json"})
        problem(response, 400, "invalid_json")


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("shape", ["array", "string", "number", "null"])
def test_json_that_is_not_an_object_is_422(client: httpx.Client, admin: Account, shape: str) -> None:
    valid = registration()
    wrapped: Any = {"array": [valid], "string": json.dumps(valid), "number": 42, "null": None}[shape]
    response = client.post("/auth/register", content=json.dumps(wrapped), headers={"Content-Type": "application/json"})
    assert error_fields(response) == {"body"}
    assert_not_registered(client, admin, valid)
    sent = client.post("/contacto/enviar", content=json.dumps([MESSAGE] if shape == "array" else wrapped),
                       headers={"Content-Type": "application/json"})
    assert error_fields(sent) == {"body"}


@pytest.mark.usefixtures("nothing_stored")
def test_wrong_types_are_422_naming_each_field(client: httpx.Client, admin: Account) -> None:
    response = client.post("/auth/register", json={"nombre": 5, "email": ["x@example.org"], "password": 12345678})
    assert error_fields(response) == {"nombre", "email", "password"}

    sent = client.post("/contacto/enviar", json={**MESSAGE, "nombre": {"a": 1}, "mensaje": True})
    assert error_fields(sent) == {"nombre", "mensaje"}

    created = client.post("/usuarios", headers=admin.headers,
                          json={"nombre": "Rol raro", "email": _email(), "rol": "superadmin"})
    assert error_fields(created) == {"rol"}



def test_wrong_types_in_an_update_change_nothing(client: httpx.Client, admin: Account, user: Account) -> None:
    response = client.put(f"/usuarios/{user.id}", headers=admin.headers, json={"nombre": 7, "activo": "no"})
    assert error_fields(response) == {"nombre", "activo"}
    me = client.get("/auth/me", headers=user.headers).json()
    assert me["nombre"] == "Usuario" and me["activo"] is True

    message = client.post("/contacto/enviar", json=MESSAGE).json()
    flagged = client.patch(f"/api/contactos/{message['id']}", headers=admin.headers,
                           json={"leido": "yes", "respondido": 1})
    assert error_fields(flagged) == {"leido", "respondido"}
    stored = client.get(f"/api/contactos/{message['id']}", headers=admin.headers).json()
    assert stored["leido"] is False and stored["respondido"] is False


@pytest.mark.usefixtures("nothing_stored")
def test_missing_fields_are_422_naming_each_field(client: httpx.Client, admin: Account) -> None:
    assert error_fields(client.post("/auth/register", json={})) == {"nombre", "email", "password"}
    body = registration()
    del body["password"]
    assert error_fields(client.post("/auth/register", json=body)) == {"password"}
    assert error_fields(client.post("/contacto/enviar", json={"email": "a@example.org"})) == {"nombre", "mensaje"}
    assert error_fields(client.post("/auth/login", json={"email": "a@example.org"})) == {"password"}
    assert error_fields(client.post("/auth/refresh", json={})) == {"refresh_token"}
    assert error_fields(client.post("/usuarios", headers=admin.headers, json={"nombre": "Sin email"})) == {"email"}
    form = client.post("/api/auth/token", data={"username": "a@example.org"})
    assert error_fields(form) == {"password"}


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize(("field", "value"), [
    ("nombre", "n" * 10_000),
    ("nombre", "n" * 101),
    ("email", "a" * 250 + "@example.org"),
    ("password", "p" * 1025),
    ("password", "corta"),
], ids=["nombre-10000", "nombre-101", "email-262", "password-1025", "password-5"])
def test_too_long_or_short_strings_are_422(client: httpx.Client, admin: Account, field: str, value: str) -> None:
    body = registration(**{field: value})
    assert error_fields(client.post("/auth/register", json=body)) == {field}
    if field != "email":
        assert_not_registered(client, admin, body)


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize(("field", "value"), [
    ("nombre", "n" * 10_000), ("mensaje", "m" * 5001), ("mensaje", "corto"), ("asunto", "a" * 201),
    ("apellido", "a" * 101),
])
def test_contact_lengths_are_enforced(client: httpx.Client, field: str, value: str) -> None:
    assert error_fields(client.post("/contacto/enviar", json={**MESSAGE, field: value})) == {field}


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("email", ["no-es-un-email", "ana@", "@example.org", "ana@@example.org", "ana example@x.org",
                                   "ana@example", "ana..b@example.org", "ana@exa_mple.org"])
def test_an_invalid_email_is_422(client: httpx.Client, admin: Account, email: str) -> None:
    body = registration(email=email)
    assert error_fields(client.post("/auth/register", json=body)) == {"email"}
    assert login(client, email, body["password"]).status_code == 401
    assert error_fields(client.post("/contacto/enviar", json={**MESSAGE, "email": email})) == {"email"}
    assert error_fields(client.post("/usuarios", headers=admin.headers, json={"nombre": "X", "email": email})) == {
        "email"}


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\r"],
                         ids=["nul", "bell", "escape", "delete", "c1-nel", "line-separator", "carriage-return"])
def test_control_characters_are_422(client: httpx.Client, admin: Account, char: str) -> None:
    body = registration(nombre=f"Ana{char}Gil")
    assert error_fields(client.post("/auth/register", json=body)) == {"nombre"}
    assert_not_registered(client, admin, body)
    sent = client.post("/contacto/enviar", json={**MESSAGE, "nombre": f"Luis{char}", "mensaje": f"Hola{char}que tal"})
    assert error_fields(sent) == {"nombre", "mensaje"}


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("char", ["\n", "\t"], ids=["newline", "tab"])
def test_newline_and_tab_are_refused_in_single_line_fields(client: httpx.Client, char: str) -> None:
    assert error_fields(client.post("/auth/register", json=registration(nombre=f"Ana{char}Gil"))) == {"nombre"}
    assert error_fields(client.post("/contacto/enviar", json={**MESSAGE, "asunto": f"Uno{char}dos"})) == {"asunto"}


def test_newline_and_tab_are_allowed_in_mensaje(client: httpx.Client, admin: Account) -> None:
    before = total(client, admin, "/contacto/mensajes")
    text = "Primera línea\nsegunda\tcon tab\n\ttercera"
    sent = client.post("/contacto/enviar", json={**MESSAGE, "mensaje": text})
    assert sent.status_code == 201, sent.text
    assert sent.json()["mensaje"] == text
    assert total(client, admin, "/contacto/mensajes") == before + 1
    stored = client.get(f"/api/contactos/{sent.json()['id']}", headers=admin.headers)
    assert stored.json()["mensaje"] == text


# ---------------------------------------------------------------- invalid Unicode and deep nesting

LONE = "\ud800"  # a UTF-16 surrogate with no partner: ``json.dumps`` writes it as the escape ``\\ud800``


def send_raw(client: httpx.Client, method: str, path: str, raw: str | bytes, **headers: str) -> httpx.Response:
    return client.request(method, path, content=raw, headers={"Content-Type": "application/json", **headers})


def send_json(client: httpx.Client, method: str, path: str, body: object, **headers: str) -> httpx.Response:
    """``body`` as ASCII JSON, so that a surrogate in it travels as a ``\\uXXXX`` escape."""
    return send_raw(client, method, path, json.dumps(body), **headers)


@pytest.mark.parametrize("surrogate", [LONE, "\udfff", "\udc00\ud800"], ids=["high", "low", "reversed"])
def test_a_lone_surrogate_in_a_json_string_is_422_naming_the_field(client: httpx.Client, admin: Account,
                                                                  user: Account, surrogate: str) -> None:
    users = total(client, admin, "/usuarios")
    login_body = {"email": f"a{surrogate}@b.c", "password": "x"}
    assert error_fields(send_json(client, "POST", "/auth/login", login_body)) == {"email"}
    assert error_fields(send_json(client, "POST", "/auth/register", registration(nombre=f"Ana{surrogate}"))) == {
        "nombre"}
    created = {"nombre": "Ana", "email": f"x{surrogate}@example.org"}
    assert error_fields(send_json(client, "POST", "/usuarios", created, **admin.headers)) == {"email"}
    updated = send_json(client, "PUT", f"/usuarios/{user.id}", {"nombre": f"N{surrogate}"}, **admin.headers)
    assert error_fields(updated) == {"nombre"}
    assert client.get("/auth/me", headers=user.headers).json()["nombre"] == "Usuario"
    unknown_key = {**registration(), surrogate: 1}
    assert error_fields(send_json(client, "POST", "/auth/register", unknown_key)) == {"body"}
    assert total(client, admin, "/usuarios") == users


@pytest.mark.usefixtures("nothing_stored")
def test_a_surrogate_encoded_in_the_bytes_is_refused_too(client: httpx.Client) -> None:
    """``\\xed\\xa0\\x80`` is U+D800 written as UTF-8, which no valid UTF-8 text contains."""
    raw = b'{"email": "a\xed\xa0\x80@b.c", "password": "x"}'
    assert error_fields(send_raw(client, "POST", "/auth/login", raw)) == {"email"}


def test_a_surrogate_pair_escape_is_an_ordinary_character(client: httpx.Client) -> None:
    sent = send_raw(client, "POST", "/contacto/enviar",
                    json.dumps({**MESSAGE, "mensaje": "Un saludo con emoji 😀 bien escrito."}))  # ensure_ascii: a pair
    assert sent.status_code == 201, sent.text
    assert "😀" in sent.json()["mensaje"]


def test_a_percent_encoded_surrogate_in_the_query_or_path_is_harmless(client: httpx.Client, admin: Account) -> None:
    """URLs are decoded with replacement characters, so ``%ED%A0%80`` never becomes a surrogate."""
    found = client.get("/usuarios?q=%ED%A0%80", headers=admin.headers)
    assert found.status_code == 200 and found.json() == []
    problem(client.get("/usuarios/%ED%A0%80", headers=admin.headers), 404, "not_found")
    assert error_fields(client.get("/usuarios?limit=%ED%A0%80", headers=admin.headers)) == {"limit"}


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("raw", [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 20_000 + "1" + "}" * 20_000,
    '{"email": "a@b.c", "password": "x", "extra": ' + "[" * 65 + "]" * 65 + "}",
], ids=["arrays-100000", "objects-20000", "65-levels"])
def test_json_nested_too_deep_is_422(client: httpx.Client, raw: str) -> None:
    for path in ("/auth/login", "/auth/register", "/contacto/enviar"):
        assert error_fields(send_raw(client, "POST", path, raw)) == {"body"}


def test_json_nested_at_the_limit_is_read(client: httpx.Client, user: Account) -> None:
    raw = json.dumps({"email": user.email, "password": user.password, "extra": None})
    raw = raw.replace("null", "[" * 63 + "]" * 63)  # 64 levels with the object itself
    assert send_raw(client, "POST", "/auth/login", raw).status_code == 200


@pytest.mark.parametrize("raw", [
    json.dumps({"type": "text", "text": f"a{LONE}b"}),
    json.dumps({"message": LONE}),
    json.dumps({"type": LONE}),
    '{"type": "text", "text": "hola", "x": ' + "[" * 65 + "]" * 65 + "}",
    '{"a":' * 20_000 + "1" + "}" * 20_000,
], ids=["text", "message", "type", "65-levels", "objects-20000"])
def test_a_bad_chat_frame_gets_an_invalid_frame_error_and_the_socket_stays_open(base_url: str, raw: str) -> None:
    with chat(base_url) as socket:
        socket.send(raw)
        frames = socket.reply()
        refusal = closing_frame(frames)
        assert refusal["type"] == "error" and refusal["code"] == "invalid_frame", frames
        answer = closing_frame(socket.ask("sigo aquí"))
        assert answer["text"] == "Respuesta a: sigo aquí"


# ---------------------------------------------------------------- size and media type

TEN_MIB = 10 * 1024 * 1024


@pytest.mark.usefixtures("nothing_stored")
def test_a_10_mib_body_is_413_and_the_server_keeps_answering(client: httpx.Client) -> None:
    declared = client.post("/auth/register", content=b" " * TEN_MIB, headers={"Content-Type": "application/json"})
    problem(declared, 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must stop counting at the limit
        for _ in range(TEN_MIB // 65536):
            yield b" " * 65536

    streamed = client.post("/contacto/enviar", content=chunks(), headers={"Content-Type": "application/json"})
    problem(streamed, 413, "payload_too_large")
    assert client.get("/status").status_code == 200


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize("media", ["text/plain", "application/xml", "multipart/form-data; boundary=x",
                                   "application/x-www-form-urlencoded"])
def test_a_json_route_refuses_other_media_types_with_415(client: httpx.Client, admin: Account, media: str) -> None:
    body = registration()
    response = client.post("/auth/register", content=json.dumps(body), headers={"Content-Type": media})
    problem(response, 415, "unsupported_media_type")
    assert_not_registered(client, admin, body)
    sent = client.post("/contacto/enviar", content=json.dumps(MESSAGE), headers={"Content-Type": media})
    problem(sent, 415, "unsupported_media_type")


def test_the_form_login_refuses_json_with_415(client: httpx.Client, user: Account) -> None:
    response = client.post("/api/auth/token", json={"username": user.email, "password": user.password})
    problem(response, 415, "unsupported_media_type")
    assert "access_token" not in response.text


@pytest.mark.parametrize("upload", ["multipart", "base64"])
def test_a_tiny_non_image_is_400(client: httpx.Client, upload: str) -> None:
    """1 to 3 bytes used to crash Pillow's format sniffing (a 500); they are unreadable: 400."""
    for path in ("/imagen/objetos", "/asl/analizar"):
        if upload == "multipart":
            response = client.post(path, files={"file": ("foto.jpg", b"\x80", "image/jpeg")})
        else:
            response = client.post(path, json={"image": "AAAA"})  # three zero bytes
        problem(response, 400)


# ---------------------------------------------------------------- tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def forge(user: Account, *, secret: str = SECRET, lifetime_s: int = 1800, **overrides: Any) -> str:
    """An access token with the claims ``ova.adapters.security.jwt_codec`` issues, signed with ``secret``."""
    now = int(time.time())
    claims = {"sub": user.email, "uid": user.id, "rol": "usuario", "jti": secrets.token_hex(8),
              "fam": secrets.token_hex(8), "iat": now, "exp": now + lifetime_s, "typ": "access", "iss": "ova",
              **overrides}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        key = OctKey.import_key(secret.encode())
    return jwt.encode({"alg": "HS256"}, claims, key, algorithms=["HS256"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(response: httpx.Response) -> None:
    body = problem(response, 401)
    assert body["code"] in ("not_authenticated", "invalid_token")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_forged_with_the_server_secret_is_accepted(client: httpx.Client, user: Account) -> None:
    """The control for the tests below: ``forge`` builds tokens exactly as the server does."""
    me = client.get("/auth/me", headers=bearer(forge(user)))
    assert me.status_code == 200 and me.json()["id"] == user.id


def test_a_tampered_payload_is_401(client: httpx.Client, user: Account) -> None:
    header, payload, signature = user.token.split(".")
    claims = json.loads(_unb64(payload))
    claims["rol"] = "admin"
    refused(client.get("/auth/me", headers=bearer(f"{header}.{_b64(json.dumps(claims).encode())}.{signature}")))
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    refused(client.get("/auth/me", headers=bearer(f"{header}.{flipped}.{signature}")))
    refused(client.get("/usuarios", headers=bearer(f"{header}.{_b64(json.dumps(claims).encode())}.{signature}")))


def test_a_token_with_alg_none_is_401(client: httpx.Client, user: Account) -> None:
    _, payload, _ = user.token.split(".")
    for alg in ("none", "None", "NONE"):
        header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        refused(client.get("/auth/me", headers=bearer(f"{header}.{payload}.")))
        refused(client.get("/auth/me", headers=bearer(f"{header}.{payload}")))


def test_a_token_signed_with_another_secret_is_401(client: httpx.Client, user: Account) -> None:
    refused(client.get("/auth/me", headers=bearer(forge(user, secret="another-secret-" + "x" * 40))))
    refused(client.get("/usuarios", headers=bearer(forge(user, secret="another-secret-" + "x" * 40, rol="admin"))))


def test_an_expired_token_is_401(client: httpx.Client, user: Account) -> None:
    expired = forge(user, iat=int(time.time()) - 3600, exp=int(time.time()) - 60)
    refused(client.get("/auth/me", headers=bearer(expired)))


@pytest.mark.parametrize(("claim", "value"), [("typ", "refresh"), ("iss", "someone-else"), ("uid", "1"),
                                              ("exp", None), ("uid", 999_999)])
def test_a_token_with_wrong_claims_is_401(client: httpx.Client, user: Account, claim: str, value: Any) -> None:
    refused(client.get("/auth/me", headers=bearer(forge(user, **{claim: value}))))


def test_a_refresh_token_is_not_an_access_token(client: httpx.Client, user: Account) -> None:
    refused(client.get("/auth/me", headers=bearer(user.refresh_token)))
    problem(client.post("/auth/refresh", json={"refresh_token": user.token}), 401)
    assert client.get("/auth/me", headers=user.headers).status_code == 200


def test_a_refresh_token_used_twice_is_refused_as_reused(client: httpx.Client, user: Account) -> None:
    assert client.post("/auth/refresh", json={"refresh_token": user.refresh_token}).status_code == 200
    replay = client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    problem(replay, 401, "refresh_token_reused")


@pytest.mark.parametrize("header", ["Bearer", "Bearer  a.b.c", "Basic xxx", "Basic dXNlcjpwYXNz", "Bearer a.b.c",
                                    "Bearer not-a-jwt", "Token abc", "bearer.a.b", "Bearer a.b.c.d.e",
                                    "Bearer eyJhbGciOiJIUzI1NiJ9..", "Bearer " + "a" * 5000])
def test_garbage_authorization_headers_are_401(client: httpx.Client, header: str) -> None:
    for method, path in (("GET", "/auth/me"), ("GET", "/usuarios"), ("POST", "/auth/logout")):
        refused(client.request(method, path, headers={"Authorization": header}))


# ---------------------------------------------------------------- query strings and path ids


@pytest.mark.parametrize(("name", "value"), [
    ("skip", "-1"), ("skip", "abc"), ("skip", "1.5"), ("limit", "0"), ("limit", "-5"), ("limit", "diez"),
    ("limit", "1e3"), ("skip", "\x0b"), ("limit", " "),
])
def test_bad_pagination_values_are_422_naming_the_parameter(client: httpx.Client, admin: Account,
                                                            name: str, value: str) -> None:
    for path in ("/usuarios", "/contacto/mensajes", "/api/contactos", "/api/usuarios"):
        response = client.get(path, headers=admin.headers, params={name: value})
        assert error_fields(response) == {name}


@pytest.mark.parametrize(("path", "name"), [("/contacto/mensajes", "leido"), ("/api/contactos", "solo_no_leidos")])
def test_a_bad_boolean_filter_is_422(client: httpx.Client, admin: Account, path: str, name: str) -> None:
    assert error_fields(client.get(path, headers=admin.headers, params={name: "quizás"})) == {name}


def test_a_huge_limit_is_capped_at_500(client: httpx.Client, admin: Account) -> None:
    for _ in range(501 - total(client, admin, "/contacto/mensajes")):
        assert client.post("/contacto/enviar", json=MESSAGE).status_code == 201
    assert total(client, admin, "/contacto/mensajes") > 500
    for limit in ("501", "100000", "999999999999"):
        capped = client.get("/contacto/mensajes", headers=admin.headers, params={"limit": limit})
        assert capped.status_code == 200, capped.text
        assert len(capped.json()) == 500
    beyond = client.get("/contacto/mensajes", headers=admin.headers, params={"skip": 100000})
    assert beyond.status_code == 200 and beyond.json() == []


def test_an_absurdly_large_limit_is_refused_or_capped(client: httpx.Client, admin: Account) -> None:
    """The contract only says the limit is capped at 500: a 26-digit limit may be capped or refused."""
    response = client.get("/contacto/mensajes", headers=admin.headers, params={"limit": "9" * 26})
    if response.status_code == 200:
        assert len(response.json()) <= 500
    else:
        assert error_fields(response) == {"limit"}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/usuarios/999999999999999999999"), ("GET", "/api/usuarios/2147483648"),
    ("PUT", "/usuarios/99999999999999999999999999999999"), ("DELETE", "/usuarios/9223372036854775808"),
    ("GET", "/usuarios/0"), ("GET", "/usuarios/-1"), ("GET", "/usuarios/abc"), ("GET", "/usuarios/1.5"),
    ("PUT", "/contacto/99999999999999999999/leido"), ("DELETE", "/contacto/2147483647"),
    ("GET", "/api/contactos/-5"), ("PATCH", "/api/contactos/18446744073709551616"),
    ("DELETE", "/api/contactos/1e9"),
])
def test_absent_or_impossible_ids_are_404_never_500(client: httpx.Client, admin: Account,
                                                   method: str, path: str) -> None:
    body = {"json": {"nombre": "X"}} if method == "PUT" else {"json": {"leido": True}} if method == "PATCH" else {}
    problem(client.request(method, path, headers=admin.headers, **body), 404, "not_found")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/no-existe"), ("POST", "/auth/no-existe"), ("GET", "/usuarios/1/extra"), ("GET", "/api"),
    ("DELETE", "/contacto"), ("GET", "/%00"), ("GET", "/" + "a" * 4000),
])
def test_unknown_routes_are_404_json(client: httpx.Client, method: str, path: str) -> None:
    problem(client.request(method, path), 404, "not_found")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/status", "GET"), ("POST", "/status/health", "GET"), ("GET", "/auth/login", "POST"),
    ("PUT", "/contacto/enviar", "POST"), ("PATCH", "/usuarios", "GET"), ("POST", "/usuarios/1", "PUT"),
    ("PUT", "/api/contactos", "POST"), ("GET", "/auth/logout", "POST"),
])
def test_wrong_methods_are_405_json(client: httpx.Client, method: str, path: str, allowed: str) -> None:
    response = client.request(method, path)
    problem(response, 405, "method_not_allowed")
    assert allowed in response.headers["Allow"]


# ---------------------------------------------------------------- and after all that


def test_the_server_is_still_healthy_after_all_of_it(client: httpx.Client) -> None:
    health = client.get("/status/health")
    assert health.status_code == 200, health.text
    assert health.json()["status"] in ("ok", "degraded")
    assert health.json()["checks"]["database"]["status"] == "ok"

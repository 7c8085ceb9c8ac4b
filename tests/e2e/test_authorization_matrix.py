"""Every route × {anonymous, user, other_user, admin} → the status the contract promises.

``user`` is the account the request is about: for ``/usuarios/{user_id}`` the id in the path is the
caller's own id, so ``user`` means "themself" and ``other_user`` means "someone else". Each case gets
fresh accounts (the fixtures are function scoped) and fresh resources where the route mutates, and
every request carries a valid body, so only authorization can decide the answer.
"""

from __future__ import annotations

import io
import secrets
import wave
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from attrs import frozen
from PIL import Image

from ova.entrypoints.app import API_ROUTES
from tests.e2e.chat_client import chat
from tests.e2e.conftest import Account, login

ROLES = ("anonymous", "user", "other_user", "admin")
MESSAGE = {"nombre": "Marta", "apellido": "Gil", "email": "marta@example.org", "asunto": "Permisos",
           "mensaje": "Un mensaje de contacto válido para la matriz."}


@frozen
class Prepared:
    """The request to send, and (for resources a refusal must leave alone) how to see they are intact."""

    path: str
    kwargs: dict[str, Any]
    untouched: Callable[[httpx.Client, Account], None] | None = None


@frozen
class Ctx:
    client: httpx.Client
    user: Account


Build = Callable[[Ctx], Prepared]


def _email() -> str:
    return f"matriz-{secrets.token_hex(5)}@example.org"


def plain(path: str) -> Build:
    return lambda ctx: Prepared(path, {})


def register(ctx: Ctx) -> Prepared:
    return Prepared("/auth/register", {"json": {"nombre": "Nueva", "email": _email(), "password": "clave-larga-1"}})


def login_json(ctx: Ctx) -> Prepared:
    return Prepared("/auth/login", {"json": {"email": ctx.user.email, "password": ctx.user.password}})


def login_form(ctx: Ctx) -> Prepared:
    return Prepared("/api/auth/token", {"data": {"username": ctx.user.email, "password": ctx.user.password}})


def refresh(ctx: Ctx) -> Prepared:
    pair = login(ctx.client, ctx.user.email, ctx.user.password)
    assert pair.status_code == 200, pair.text
    return Prepared("/auth/refresh", {"json": {"refresh_token": pair.json()["refresh_token"]}})


def create_user(prefix: str) -> Build:
    return lambda ctx: Prepared(prefix, {"json": {"nombre": "Alta", "email": _email()}})


def the_user(prefix: str, body: dict[str, Any] | None = None) -> Build:
    """``{prefix}/{user_id}`` with the ``user`` account's id; a refusal must leave that account as it was."""

    def build(ctx: Ctx) -> Prepared:
        before = ctx.user

        def untouched(client: httpx.Client, admin: Account) -> None:
            seen = client.get(f"/usuarios/{before.id}", headers=admin.headers)
            assert seen.status_code == 200, "a refused request changed or removed the account"
            assert seen.json()["nombre"] == "Usuario" and seen.json()["email"] == before.email

        return Prepared(f"{prefix}/{ctx.user.id}", {"json": body} if body else {}, untouched)

    return build


def send_message(path: str) -> Build:
    return lambda ctx: Prepared(path, {"json": MESSAGE})


def a_message(template: str, body: dict[str, Any] | None = None) -> Build:
    """A fresh contact message per case, addressed through ``template`` (``{id}``)."""

    def build(ctx: Ctx) -> Prepared:
        sent = ctx.client.post("/contacto/enviar", json=MESSAGE)
        assert sent.status_code == 201, sent.text
        message_id = sent.json()["id"]

        def untouched(client: httpx.Client, admin: Account) -> None:
            seen = client.get(f"/api/contactos/{message_id}", headers=admin.headers)
            assert seen.status_code == 200, "a refused request removed the message"
            assert seen.json()["leido"] is False and seen.json()["respondido"] is False

        return Prepared(template.format(id=message_id), {"json": body} if body else {}, untouched)

    return build


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _voice() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\x00\x10" * 16000)
    return buffer.getvalue()


def upload(path: str, data: bytes, name: str) -> Build:
    return lambda ctx: Prepared(path, {"files": {"file": (name, data, "application/octet-stream")}})


def speak(ctx: Ctx) -> Prepared:
    return Prepared("/audio/sintetizar", {"json": {"text": "hola"}})


def the_chat(template: str) -> Build:
    """A chat that ``user`` held over the WebSocket, addressed through ``template`` (``{id}``); a
    refusal must leave its messages in place."""

    def build(ctx: Ctx) -> Prepared:
        with chat(str(ctx.client.base_url), f"/ws?token={ctx.user.token}") as socket:
            socket.ask("una pregunta de la matriz")
            chat_id = socket.chat_id

        def untouched(client: httpx.Client, admin: Account) -> None:
            seen = client.get(f"/chats/{chat_id}/mensajes", headers=admin.headers)
            assert seen.status_code == 200 and len(seen.json()) == 2, "a refused request changed the chat"

        return Prepared(template.format(id=chat_id), {}, untouched)

    return build


PHOTO = _photo()
VOICE = _voice()

# method, path (as /openapi.json publishes it), expected status for anonymous, user, other_user, admin; request
MATRIX: list[tuple[str, str, int, int, int, int, Build]] = [
    ("POST", "/auth/register", 201, 201, 201, 201, register),
    ("POST", "/auth/login", 200, 200, 200, 200, login_json),
    ("GET", "/auth/me", 401, 200, 200, 200, plain("/auth/me")),
    ("POST", "/auth/refresh", 200, 200, 200, 200, refresh),
    ("POST", "/auth/logout", 401, 204, 204, 204, plain("/auth/logout")),
    ("POST", "/api/auth/token", 200, 200, 200, 200, login_form),
    ("POST", "/api/auth/logout", 401, 204, 204, 204, plain("/api/auth/logout")),

    ("GET", "/usuarios", 401, 403, 403, 200, plain("/usuarios")),
    ("POST", "/usuarios", 401, 403, 403, 201, create_user("/usuarios")),
    ("GET", "/usuarios/{user_id}", 401, 200, 403, 200, the_user("/usuarios")),
    ("PUT", "/usuarios/{user_id}", 401, 200, 403, 200, the_user("/usuarios", {"nombre": "Cambiado"})),
    ("DELETE", "/usuarios/{user_id}", 401, 403, 403, 204, the_user("/usuarios")),
    ("GET", "/api/usuarios", 401, 403, 403, 200, plain("/api/usuarios")),
    ("POST", "/api/usuarios", 401, 403, 403, 201, create_user("/api/usuarios")),
    ("GET", "/api/usuarios/{user_id}", 401, 200, 403, 200, the_user("/api/usuarios")),
    ("PUT", "/api/usuarios/{user_id}", 401, 200, 403, 200, the_user("/api/usuarios", {"nombre": "Cambiado"})),
    ("DELETE", "/api/usuarios/{user_id}", 401, 403, 403, 204, the_user("/api/usuarios")),

    ("POST", "/contacto/enviar", 201, 201, 201, 201, send_message("/contacto/enviar")),
    ("GET", "/contacto/mensajes", 401, 403, 403, 200, plain("/contacto/mensajes")),
    ("PUT", "/contacto/{message_id}/leido", 401, 403, 403, 200, a_message("/contacto/{id}/leido")),
    ("DELETE", "/contacto/{message_id}", 401, 403, 403, 204, a_message("/contacto/{id}")),
    ("POST", "/api/contactos", 201, 201, 201, 201, send_message("/api/contactos")),
    ("GET", "/api/contactos", 401, 403, 403, 200, plain("/api/contactos")),
    ("GET", "/api/contactos/{message_id}", 401, 403, 403, 200, a_message("/api/contactos/{id}")),
    ("PATCH", "/api/contactos/{message_id}", 401, 403, 403, 200, a_message("/api/contactos/{id}", {"leido": True})),
    ("DELETE", "/api/contactos/{message_id}", 401, 403, 403, 204, a_message("/api/contactos/{id}")),

    ("GET", "/status", 200, 200, 200, 200, plain("/status")),
    ("GET", "/status/health", 200, 200, 200, 200, plain("/status/health")),
    ("GET", "/status/websocket", 200, 200, 200, 200, plain("/status/websocket")),
    ("GET", "/status/live", 200, 200, 200, 200, plain("/status/live")),
    ("GET", "/status/ready", 200, 200, 200, 200, plain("/status/ready")),
    ("GET", "/status/database", 401, 403, 403, 200, plain("/status/database")),
    ("GET", "/chat/health", 200, 200, 200, 200, plain("/chat/health")),
    ("GET", "/api/chat/health", 200, 200, 200, 200, plain("/api/chat/health")),
    ("GET", "/api/status", 200, 200, 200, 200, plain("/api/status")),

    ("POST", "/imagen/analizar", 200, 200, 200, 200, upload("/imagen/analizar", PHOTO, "a.jpg")),
    ("POST", "/imagen/objetos", 200, 200, 200, 200, upload("/imagen/objetos", PHOTO, "a.jpg")),
    ("POST", "/imagen/descripcion", 200, 200, 200, 200, upload("/imagen/descripcion", PHOTO, "a.jpg")),
    ("POST", "/imagen/texto", 200, 200, 200, 200, upload("/imagen/texto", PHOTO, "a.jpg")),
    ("POST", "/asl/analizar", 200, 200, 200, 200, upload("/asl/analizar", PHOTO, "a.jpg")),
    ("GET", "/asl/modelo/info", 200, 200, 200, 200, plain("/asl/modelo/info")),
    *(
        ("POST", path, 200, 200, 200, 200, upload(path, PHOTO, "a.jpg"))
        for path in ("/api/image/asl/predict_space", "/api/image/asl/predict", "/api/image/analyze-sign-language",
                     "/api/image/process-image")
    ),
    ("POST", "/audio/transcribir", 200, 200, 200, 200, upload("/audio/transcribir", VOICE, "a.wav")),
    ("POST", "/audio/sintetizar", 200, 200, 200, 200, speak),

    ("GET", "/chats", 401, 200, 200, 200, plain("/chats")),
    ("GET", "/chats/{chat_id}/mensajes", 401, 200, 404, 200, the_chat("/chats/{id}/mensajes")),
    ("DELETE", "/chats/{chat_id}", 401, 204, 404, 204, the_chat("/chats/{id}")),

    # Not API operations (no entry in API_ROUTES), but public all the same.
    ("GET", "/metrics", 200, 200, 200, 200, plain("/metrics")),
    ("GET", "/openapi.json", 200, 200, 200, 200, plain("/openapi.json")),
    ("GET", "/docs", 200, 200, 200, 200, plain("/docs")),
]
ROWS = {(method, path): (statuses, build) for method, path, *statuses, build in MATRIX}
CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found"}


def _cases() -> list[Any]:
    return [
        pytest.param(method, build, role, status, id=f"{method} {path} as {role} -> {status}")
        for method, path, *statuses, build in MATRIX
        for role, status in zip(ROLES, statuses, strict=True)
    ]


@pytest.mark.parametrize(("method", "build", "role", "expected"), _cases())
def test_authorization(request: pytest.FixtureRequest, client: httpx.Client, user: Account,
                       method: str, build: Build, role: str, expected: int) -> None:
    prepared = build(Ctx(client, user))
    actor: Account | None = None if role == "anonymous" else request.getfixturevalue(role)
    headers = actor.headers if actor else {}

    response = client.request(method, prepared.path, headers=headers, **prepared.kwargs)

    assert response.status_code == expected, response.text
    if expected >= 400:
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"]
        assert body["code"] == CODES[expected]
        if expected == 401:
            assert response.headers["WWW-Authenticate"] == "Bearer"
        if prepared.untouched is not None:
            admin: Account = request.getfixturevalue("admin")
            prepared.untouched(client, admin)
    elif expected != 204:
        assert response.content, "a 2xx other than 204 carries a body"
        if response.headers["content-type"].startswith("application/json"):
            response.json()


def test_every_api_route_is_in_the_matrix() -> None:
    declared = {(route.spec.method.upper(), route.spec.openapi_path) for route in API_ROUTES}
    missing = sorted(declared - set(ROWS))
    assert not missing, f"add these routes to MATRIX in {__name__}: {missing}"


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: f"{r.spec.method.upper()} {r.spec.openapi_path}")
def test_the_matrix_agrees_with_what_the_route_declares(route: Any) -> None:
    spec = route.spec
    (anonymous, user, other_user, admin), _ = ROWS[(spec.method.upper(), spec.openapi_path)]
    assert admin == spec.status
    if spec.auth == "none":
        assert anonymous == user == other_user == admin == spec.status
    elif spec.auth == "user":
        # someone else's resource is 403, or 404 where its existence is not revealed (chats)
        assert anonymous == 401 and user == spec.status and other_user in (spec.status, 403, 404)
        if other_user == 404:
            assert 404 in spec.errors
    else:
        assert spec.auth == "admin"
        assert (anonymous, user, other_user) == (401, 403, 403)

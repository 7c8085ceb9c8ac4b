"""``/auth``: accounts and tokens; and the published client's ``/api/auth`` aliases."""

from __future__ import annotations

from attrs import field, frozen
from starlette.requests import Request
from starlette.responses import Response

from ova.application.accounts.commands import Credentials, LogoutRequest, RefreshRequest, Registration
from ova.domain.text import Text
from ova.entrypoints.http.requests import (
    client_address,
    container,
    principal,
    read_body,
    read_form,
)
from ova.entrypoints.http.routing import api, respond
from ova.entrypoints.http.views import LoginView, TokenPairView, UserView

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""On every response that carries tokens, so no cache keeps them (RFC 6749 §5.1)."""


@frozen
class PasswordForm:
    """The OAuth2 password grant form (``username`` is the email)."""

    username: str = field(validator=Text(min_length=1, max_length=254))
    password: str = field(validator=Text(min_length=1, max_length=1024, strip=False), repr=False)
    grant_type: str | None = None
    scope: str | None = None


async def register(request: Request) -> Response:
    registration = await read_body(request, Registration)
    user = await container(request).register()(registration, client=client_address(request))
    return respond(UserView.of(user), 201)


async def login(request: Request) -> Response:
    credentials = await read_body(request, Credentials)
    result = await container(request).login()(credentials, client=client_address(request))
    return respond(LoginView.of(result.tokens, result.user), headers=NO_STORE)


async def token_form(request: Request) -> Response:
    form = await read_form(request, PasswordForm)
    credentials = Credentials(email=form.username, password=form.password)
    result = await container(request).login()(credentials, client=client_address(request))
    return respond(TokenPairView.of(result.tokens), headers=NO_STORE)


async def me(request: Request) -> Response:
    return respond(UserView.of((await principal(request)).user))


async def refresh(request: Request) -> Response:
    body = await read_body(request, RefreshRequest)
    return respond(TokenPairView.of(await container(request).refresh()(body.refresh_token)), headers=NO_STORE)


async def logout(request: Request) -> Response:
    who = await principal(request)
    body = await read_body(request, LogoutRequest, optional=True)
    await container(request).logout()(who, body.refresh_token)
    return Response(status_code=204)


TAGS = ("auth",)
ROUTES = [
    api(register, path="/auth/register", method="POST", summary="Crear una cuenta", tags=TAGS,
        request=Registration, response=UserView, status=201, errors=(400, 409, 413, 415, 422),
        rate_limited=True),
    api(login, path="/auth/login", method="POST", summary="Iniciar sesión", tags=TAGS, request=Credentials,
        response=LoginView, errors=(400, 401, 403, 413, 415, 422), rate_limited=True,
        description="Email desconocido y contraseña incorrecta reciben la misma respuesta 401. Tras 5 fallos "
                    "en 15 minutos por dirección o por cuenta, 429 con Retry-After."),
    api(me, path="/auth/me", method="GET", summary="Usuario actual", tags=TAGS, response=UserView, auth="user"),
    api(refresh, path="/auth/refresh", method="POST", summary="Renovar tokens", tags=TAGS,
        request=RefreshRequest, response=TokenPairView, errors=(400, 401, 413, 415, 422),
        description="Cada refresh token sirve una vez; reutilizar uno revoca toda la sesión."),
    api(logout, path="/auth/logout", method="POST", summary="Cerrar sesión", tags=TAGS, request=LogoutRequest,
        request_required=False, status=204, auth="user", errors=(400, 413, 415, 422)),
    api(token_form, path="/api/auth/token", method="POST", summary="Login OAuth2 (cliente publicado)",
        tags=("aliases",), request_form=PasswordForm, response=TokenPairView,
        errors=(400, 401, 403, 413, 415, 422), rate_limited=True),
    api(logout, path="/api/auth/logout", method="POST", summary="Cerrar sesión (cliente publicado)",
        tags=("aliases",), request=LogoutRequest, request_required=False, status=204, auth="user",
        errors=(400, 413, 415, 422)),
]

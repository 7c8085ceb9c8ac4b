"""``/usuarios`` and the published client's ``/api/usuarios`` aliases."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ova.application.users.commands import NewUser, UserChanges
from ova.entrypoints.http.openapi.operations import QueryParam
from ova.entrypoints.http.requests import container, pagination, principal, read_body
from ova.entrypoints.http.routing import PAGINATION, ApiRoute, api, path_id, respond, respond_page
from ova.entrypoints.http.views import UserView


async def list_users(request: Request) -> Response:
    actor = (await principal(request)).user
    skip, limit = pagination(request)
    page = await container(request).list_users()(actor, skip=skip, limit=limit, query=request.query_params.get("q"))
    return respond_page([UserView.of(u) for u in page.items], page.total)


async def create_user(request: Request) -> Response:
    actor = (await principal(request)).user
    new = await read_body(request, NewUser)
    return respond(UserView.of(await container(request).create_user()(actor, new)), 201)


async def get_user(request: Request) -> Response:
    actor = (await principal(request)).user
    return respond(UserView.of(await container(request).get_user()(actor, path_id(request, "user_id"))))


async def update_user(request: Request) -> Response:
    who = await principal(request)
    changes = await read_body(request, UserChanges)
    # the login making the change survives its own password change; the account's others end
    user = await container(request).update_user()(who.user, path_id(request, "user_id"), changes,
                                                  login=who.claims.family)
    return respond(UserView.of(user))


async def delete_user(request: Request) -> Response:
    actor = (await principal(request)).user
    await container(request).delete_user()(actor, path_id(request, "user_id"))
    return Response(status_code=204)


SEARCH = QueryParam(name="q", type=str, required=False, description="Filtra por nombre o email.")
BODY_ERRORS = (400, 413, 415, 422)


def user_routes(prefix: str, tags: tuple[str, ...]) -> list[ApiRoute]:
    item = prefix + "/{user_id:int}"
    return [
        api(list_users, path=prefix, method="GET", summary="Listar usuarios", tags=tags, response=list[UserView],
            auth="admin", query=(*PAGINATION, SEARCH), errors=(422,)),
        api(create_user, path=prefix, method="POST", summary="Crear usuario", tags=tags, request=NewUser,
            response=UserView, status=201, auth="admin", errors=(*BODY_ERRORS, 409)),
        api(get_user, path=item, method="GET", summary="Ver usuario", tags=tags, response=UserView, auth="user",
            errors=(404, 422), description="El propio usuario o un administrador."),
        api(update_user, path=item, method="PUT", summary="Modificar usuario", tags=tags, request=UserChanges,
            response=UserView, auth="user", errors=(*BODY_ERRORS, 404, 409),
            description="Solo un administrador cambia `rol` o `activo`; el último administrador activo no "
                        "puede degradarse (409). Una contraseña nueva cierra las demás sesiones."),
        api(delete_user, path=item, method="DELETE", summary="Eliminar usuario", tags=tags, status=204,
            auth="admin", errors=(404, 409, 422)),
    ]


ROUTES = [*user_routes("/usuarios", ("usuarios",)), *user_routes("/api/usuarios", ("aliases",))]

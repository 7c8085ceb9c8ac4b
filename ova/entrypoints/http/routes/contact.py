"""``/contacto`` and the published client's ``/api/contactos`` aliases."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ova.application.contact.commands import ContactForm, MessageFlags
from ova.entrypoints.http.openapi.operations import QueryParam
from ova.entrypoints.http.requests import bool_param, client_address, container, pagination, principal, read_body
from ova.entrypoints.http.routing import PAGINATION, api, path_id, respond, respond_page
from ova.entrypoints.http.views import ContactView


async def send(request: Request) -> Response:
    form = await read_body(request, ContactForm)
    message = await container(request).send_message()(form, client=client_address(request))
    return respond(ContactView.of(message), 201)


async def _list(request: Request, *, unread_only: bool) -> Response:
    actor = (await principal(request)).user
    skip, limit = pagination(request)
    page = await container(request).list_messages()(actor, skip=skip, limit=limit, unread_only=unread_only)
    return respond_page([ContactView.of(m) for m in page.items], page.total)


async def list_messages(request: Request) -> Response:
    return await _list(request, unread_only=bool_param(request, "leido") is False)


async def list_messages_alias(request: Request) -> Response:
    return await _list(request, unread_only=bool_param(request, "solo_no_leidos") is True)


async def get_message(request: Request) -> Response:
    actor = (await principal(request)).user
    return respond(ContactView.of(await container(request).get_message()(actor, path_id(request, "message_id"))))


async def mark_read(request: Request) -> Response:
    actor = (await principal(request)).user
    flags = MessageFlags(leido=True)
    message = await container(request).flag_message()(actor, path_id(request, "message_id"), flags)
    return respond(ContactView.of(message))


async def flag(request: Request) -> Response:
    actor = (await principal(request)).user
    flags = await read_body(request, MessageFlags)
    message = await container(request).flag_message()(actor, path_id(request, "message_id"), flags)
    return respond(ContactView.of(message))


async def delete(request: Request) -> Response:
    actor = (await principal(request)).user
    await container(request).delete_message()(actor, path_id(request, "message_id"))
    return Response(status_code=204)


BODY_ERRORS = (400, 413, 415, 422)
LEIDO = QueryParam(name="leido", type=bool, required=False, description="`false`: solo los no leídos.")
SOLO_NO_LEIDOS = QueryParam(name="solo_no_leidos", type=bool, required=False, description="Solo los no leídos.")
TAGS = ("contacto",)
ALIASES = ("aliases",)

ROUTES = [
    api(send, path="/contacto/enviar", method="POST", summary="Enviar un mensaje de contacto", tags=TAGS,
        request=ContactForm, response=ContactView, status=201, errors=BODY_ERRORS, rate_limited=True,
        description="El texto se guarda tal cual (es un dato, nunca HTML). Un 201 significa guardado."),
    api(list_messages, path="/contacto/mensajes", method="GET", summary="Listar mensajes (más nuevos primero)",
        tags=TAGS, response=list[ContactView], auth="admin", query=(*PAGINATION, LEIDO), errors=(422,)),
    api(mark_read, path="/contacto/{message_id:int}/leido", method="PUT", summary="Marcar como leído", tags=TAGS,
        response=ContactView, auth="admin", errors=(404, 422)),
    api(delete, path="/contacto/{message_id:int}", method="DELETE", summary="Eliminar mensaje", tags=TAGS,
        status=204, auth="admin", errors=(404, 422)),
    api(send, path="/api/contactos", method="POST", summary="Enviar mensaje (cliente publicado)", tags=ALIASES,
        request=ContactForm, response=ContactView, status=201, errors=BODY_ERRORS, rate_limited=True),
    api(list_messages_alias, path="/api/contactos", method="GET", summary="Listar mensajes", tags=ALIASES,
        response=list[ContactView], auth="admin", query=(*PAGINATION, SOLO_NO_LEIDOS), errors=(422,)),
    api(get_message, path="/api/contactos/{message_id:int}", method="GET", summary="Ver mensaje", tags=ALIASES,
        response=ContactView, auth="admin", errors=(404, 422)),
    api(flag, path="/api/contactos/{message_id:int}", method="PATCH", summary="Marcar leído o respondido",
        tags=ALIASES, request=MessageFlags, response=ContactView, auth="admin", errors=(*BODY_ERRORS, 404)),
    api(delete, path="/api/contactos/{message_id:int}", method="DELETE", summary="Eliminar mensaje", tags=ALIASES,
        status=204, auth="admin", errors=(404, 422)),
]

"""Stored chats over HTTP: ``GET /chats``, ``GET /chats/{chat_id}/mensajes``, ``DELETE /chats/{chat_id}``.
The conversation itself happens over the WebSocket (``/ws``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ova.domain.chat import CHAT_ID_PATTERN, is_valid_chat_id
from ova.domain.errors import NotFound
from ova.entrypoints.http.requests import container, pagination, principal
from ova.entrypoints.http.routing import PAGINATION, api, respond_page
from ova.entrypoints.http.views import ChatTurnView, ChatView


def _chat_id(request: Request) -> str:
    chat_id: str = request.path_params["chat_id"]
    if not is_valid_chat_id(chat_id):
        raise NotFound("Conversación no encontrada.")
    return chat_id


async def list_chats(request: Request) -> Response:
    actor = (await principal(request)).user
    skip, limit = pagination(request)
    page = await container(request).list_chats()(actor, skip=skip, limit=limit)
    return respond_page([ChatView.of(c) for c in page.items], page.total)


async def chat_messages(request: Request) -> Response:
    actor = (await principal(request)).user
    skip, limit = pagination(request)
    page = await container(request).chat_history()(actor, _chat_id(request), skip=skip, limit=limit)
    return respond_page([ChatTurnView.of(t) for t in page.items], page.total)


async def delete_chat(request: Request) -> Response:
    actor = (await principal(request)).user
    await container(request).delete_chat()(actor, _chat_id(request))
    return Response(status_code=204)


TAGS = ("chat",)
ROUTES = [
    api(list_chats, path="/chats", method="GET", summary="Mis conversaciones (más recientes primero)", tags=TAGS,
        response=list[ChatView], auth="user", query=PAGINATION, errors=(422,),
        description="Cada usuario ve las suyas; un administrador ve todas, también las anónimas. "
                    "La conversación se mantiene por WebSocket en `/ws` o `/ws/chat/{chat_id}`."),
    api(chat_messages, path="/chats/{chat_id}/mensajes", method="GET", summary="Mensajes de una conversación",
        tags=TAGS, response=list[ChatTurnView], auth="user", query=PAGINATION, errors=(404, 422),
        path_pattern=CHAT_ID_PATTERN,
        description="Del más antiguo al más reciente. La conversación de otra cuenta responde 404."),
    api(delete_chat, path="/chats/{chat_id}", method="DELETE", summary="Eliminar una conversación", tags=TAGS,
        status=204, auth="user", errors=(404,), path_pattern=CHAT_ID_PATTERN),
]

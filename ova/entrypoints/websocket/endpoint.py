"""The chat's WebSocket routes: ``/ws`` and ``/ws/chat/{chat_id}``, and the published client's
``/api/chat`` and ``/ws/chat``. All four speak the same protocol; ``?features=`` asks for richer
frames than the published client's (``dialect.py``)."""

from __future__ import annotations

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from ova.application.chat.registry import ChatRegistry
from ova.bootstrap.chat import ChatServices
from ova.domain.chat import is_valid_chat_id
from ova.domain.language import Language, UnknownLanguage, from_accept_language, parse_language
from ova.entrypoints.asgi.messages import error_frame_in
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.chat_socket import CLOSE_POLICY
from ova.entrypoints.websocket.client_frames import FrameError, language_refusal
from ova.entrypoints.websocket.dialect import dialect_for
from ova.entrypoints.websocket.server_frames import Frame
from ova.entrypoints.websocket.session import ChatSession


async def chat(websocket: WebSocket) -> None:
    services: ChatServices = websocket.app.state.chat_services
    registry: ChatRegistry = websocket.app.state.chat_registry
    chat_id = websocket.path_params.get("chat_id")
    if registry.closing:
        await websocket.close(1012)
        return
    preferred = from_accept_language(websocket.headers.get("accept-language"))
    language = preferred or services.converse.policy.default_language
    lang = websocket.query_params.get("lang", "").strip()
    asked: Language | None = None
    try:  # refused before the session starts: the reason, then 1008
        if lang:
            try:
                asked = language = parse_language(lang)
            except UnknownLanguage:
                raise language_refusal(lang) from None
        if chat_id is not None and not is_valid_chat_id(chat_id):
            raise FrameError("invalid_chat_id",
                             "El identificador de chat solo admite letras, números, '-' y '_' (hasta 64).")
        dialect = dialect_for(websocket.query_params.getlist("features"))
    except FrameError as error:
        await _refuse(websocket, server_frames.refusal(error), language)
        return
    session = ChatSession(websocket, services, chat_id=chat_id, token=websocket.query_params.get("token") or None,
                          dialect=dialect, asked=asked, preferred=preferred)
    registry.add(session)
    try:
        await session.run()
    finally:
        registry.discard(session)


async def _refuse(websocket: WebSocket, error: Frame, language: Language) -> None:
    """A connection the server will not hold: accepted, told why in one ``error`` frame, closed 1008."""
    await websocket.accept()
    await websocket.send_json(error_frame_in(error, language))
    await websocket.close(CLOSE_POLICY)


PATHS = ("/ws", "/ws/chat/{chat_id}", "/api/chat", "/ws/chat")
ROUTES = [WebSocketRoute(path, chat) for path in PATHS]

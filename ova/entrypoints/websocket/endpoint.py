"""The chat's WebSocket routes: ``/ws`` and ``/ws/chat/{chat_id}``, and the published client's
``/api/chat`` and ``/ws/chat``. All four speak the same protocol."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from ova.entrypoints.websocket import frames
from ova.entrypoints.websocket.session import CLOSE_POLICY, ChatServices, ChatSession

CHAT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ChatRegistry:
    """The open chat sessions of this process, so that shutdown can close them properly, and the
    watchdog that enforces their idle and send timeouts (one task for all of them)."""

    def __init__(self, tick_s: float = 1.0) -> None:
        self._sessions: set[ChatSession] = set()
        self.closing = False
        self._tick_s = tick_s
        self._watchdog: asyncio.Task[None] | None = None
        self._emptied = asyncio.Event()

    def __len__(self) -> int:
        return len(self._sessions)

    def add(self, session: ChatSession) -> None:
        self._sessions.add(session)
        if self._watchdog is None:
            self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        try:
            while self._sessions:
                await asyncio.sleep(self._tick_s)
                now = time.monotonic()
                for session in list(self._sessions):
                    session.overdue(now)
        finally:
            self._watchdog = None

    def discard(self, session: ChatSession) -> None:
        self._sessions.discard(session)
        if not self._sessions:
            self._emptied.set()

    async def close_all(self, grace_s: float, *, wait_s: float = 5.0) -> None:
        """Answers in progress get ``grace_s`` seconds to finish, then are cancelled; every socket
        is closed with 1012 (service restart), which tells the client to reconnect. Returns once every
        session has ended (or after ``wait_s`` more seconds), so that what they count is counted."""
        self.closing = True
        sessions = list(self._sessions)
        if not sessions:
            return
        self._emptied.clear()
        await asyncio.gather(*(s.shutdown(grace_s) for s in sessions), return_exceptions=True)
        if self._sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._emptied.wait(), timeout=wait_s)


async def chat(websocket: WebSocket) -> None:
    services: ChatServices = websocket.app.state.chat_services
    registry: ChatRegistry = websocket.app.state.chat_registry
    chat_id = websocket.path_params.get("chat_id")
    if registry.closing:
        await websocket.close(1012)
        return
    if chat_id is not None and not CHAT_ID.match(chat_id):
        await websocket.accept()
        await websocket.send_json(frames.error(
            "invalid_chat_id", "El identificador de chat solo admite letras, números, '-' y '_' (hasta 64)."))
        await websocket.close(CLOSE_POLICY)
        return
    session = ChatSession(websocket, services, chat_id=chat_id,
                          token=websocket.query_params.get("token") or None)
    registry.add(session)
    try:
        await session.run()
    finally:
        registry.discard(session)


PATHS = ("/ws", "/ws/chat/{chat_id}", "/api/chat", "/ws/chat")
ROUTES = [WebSocketRoute(path, chat) for path in PATHS]

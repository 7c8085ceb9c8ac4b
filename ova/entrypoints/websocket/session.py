"""One chat connection: it reads frames and enforces the limits (limits.py) on its socket
(chat_socket.py); its worker (worker.py) answers one message at a time.

The reader (the connection's own task) never waits on the model: it queues messages for a worker
task and stays free to see ``cancel``, ``ping`` and the client going away. Every user message gets
exactly one closing frame (its answer or an ``error``), and ``typing`` false is its last frame. The
connection's ``Dialect`` (the features the client asked for) chooses a voice note's frames.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect

from ova.bootstrap.chat import ChatServices
from ova.domain.errors import DependencyUnavailable, InvalidToken
from ova.domain.language import Language
from ova.domain.users import User
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.chat_socket import (
    CLOSE_NORMAL,
    CLOSE_POLICY,
    CLOSE_RESTART,
    CLOSE_TRY_AGAIN_LATER,
    ChatSocket,
    SlowClient,
)
from ova.entrypoints.websocket.client_frames import AuthMessage, Cancel, FrameError, Message, Ping
from ova.entrypoints.websocket.dialect import PUBLISHED, Dialect
from ova.entrypoints.websocket.drain import UNAVAILABLE, until_quiet
from ova.entrypoints.websocket.frame_reading import max_frame_bytes, read_frame
from ova.entrypoints.websocket.limits import RATE_WINDOW_S, flooded, message_refusal
from ova.entrypoints.websocket.server_frames import TYPING_OFF
from ova.entrypoints.websocket.window import SlidingWindow
from ova.entrypoints.websocket.worker import ChatWorker

log = structlog.get_logger("ova.chat")

UNAVAILABLE_NOW = "No se puede comprobar tu sesión ahora mismo; vuelve a conectar en unos segundos."


class ChatSession:
    def __init__(self, websocket: WebSocket, services: ChatServices, *, chat_id: str | None, token: str | None,
                 dialect: Dialect = PUBLISHED, asked: Language | None = None,
                 preferred: Language | None = None) -> None:
        """``chat_id`` is the one the client asked for; without one the session starts a new chat.
        ``asked`` is the language of the URL's ``?lang=``, ``preferred`` the one of the upgrade
        request's ``Accept-Language``."""
        self.ws = websocket
        self.dialect = dialect
        self.services = services
        self.settings = services.settings
        converse = services.converse
        self._thread = (converse.thread(chat_id, asked=asked, preferred=preferred) if chat_id is not None
                        else converse.new_thread(asked=asked, preferred=preferred))
        self.chat_id = self._thread.chat_id
        self.client_id = "chat_" + secrets.token_hex(4)
        self._socket = ChatSocket(websocket, self.settings, converse, self._thread)  # what ``overdue`` reads too
        self._token = token
        self._user: User | None = None
        self._worker: ChatWorker | None = None  # made by the first message: idle connections have none
        self._accepted = SlidingWindow(RATE_WINDOW_S)
        self._refused = SlidingWindow(RATE_WINDOW_S)
        self._closing = False
        self._dropped = False
        self._reader: asyncio.Task[Any] | None = None
        self._max_frame = max_frame_bytes(self.settings.max_text_bytes, self.settings.max_audio_bytes)

    @property
    def generating(self) -> bool:
        return self._worker is not None and self._worker.generating

    def _log(self) -> Any:
        """Bound when something is logged, not kept: idle connections need not carry a logger each."""
        return log.bind(client_id=self.client_id, chat_id=self.chat_id)

    # --- the connection ------------------------------------------------------------------------

    async def run(self) -> None:
        self._reader = asyncio.current_task()
        await self.ws.accept()
        async with self.services.telemetry.connection():
            self._log().info("chat connected")
            try:
                await self._socket.send(server_frames.connected(self.client_id, self.chat_id, self.dialect.features),
                                 by_reader=True)
                if self._closing:  # the shutdown began while the connection opened: nothing was sent yet
                    await self._socket.close(CLOSE_RESTART, "reinicio del servicio")
                    return
                if self._token is not None:
                    await self._authenticate(self._token)
                await self._read()
            except (WebSocketDisconnect, SlowClient, OSError):
                pass
            except asyncio.CancelledError:
                if not self._dropped or self._reader is None:
                    raise
                self._reader.uncancel()
            finally:
                if self._worker is not None:
                    await self._worker.stop()
                    self._worker = None  # it holds the session's bound methods: a cycle the GC would have to find
                await self._socket.close(CLOSE_NORMAL, "")
                self._log().info("chat disconnected")

    async def shutdown(self, grace_s: float) -> None:
        """Stop taking messages, let the answer in progress finish for up to ``grace_s`` seconds
        (then cancel it), and close with 1012 so that the client reconnects.

        Every message read from now on gets ``unavailable`` (``_admit``), queued ones too (the
        worker). The close waits for the client to have been quiet for ``drain_quiet_s``
        (``until_quiet``): closing the moment the last answer was sent lost the message a client sends
        as soon as it has its answer, since it crossed the close frame on the wire (or sat, unread, in
        the server's queue: the server may send nothing after its close). No answer is stored for a
        message refused this way."""
        self._closing = True
        if self._worker is not None:
            await self._worker.shut_down(grace_s)
        await until_quiet(self._socket, self._reader, self.settings.drain_quiet_s, dropped=lambda: self._dropped)
        await self._socket.close(CLOSE_RESTART, "reinicio del servicio")

    def overdue(self, now: float) -> None:
        """Called about once a second by the registry's watchdog: a client that has not taken a frame
        for ``send_timeout_s`` is given up on, and one silent for ``idle_timeout_s`` is closed. (One
        check a second for every connection costs less than two timers for every frame.)"""
        socket = self._socket
        why = socket.overdue(now)
        if why == "slow":
            socket.give_up(why, self._reader if socket.sent_by_reader else self._worker_task())
        elif why == "idle":
            socket.give_up(why, self._reader)

    def _worker_task(self) -> asyncio.Task[Any] | None:
        return self._worker.task if self._worker is not None else None

    # --- reading -------------------------------------------------------------------------------

    async def _read(self) -> None:
        socket = self._socket
        while True:
            socket.receiving = True
            try:
                message = await self.ws.receive()
            except asyncio.CancelledError:
                if not socket.stepped_in("idle"):
                    raise
                self._log().info("chat idle, closing")
                await socket.close(CLOSE_NORMAL, "inactividad")
                return
            finally:
                socket.receiving = False
            socket.last_heard = time.monotonic()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                await self._refuse(FrameError("unsupported_frame", "Solo se aceptan mensajes de texto (JSON)."))
                continue
            try:
                frame = read_frame(text, max_text_bytes=self.settings.max_text_bytes, max_frame_bytes=self._max_frame)
            except FrameError as error:
                await self._refuse(error)
                continue
            if isinstance(frame, Ping):
                continue
            if isinstance(frame, Cancel):
                if self._worker is not None:
                    self._worker.cancel()
            elif isinstance(frame, AuthMessage):
                await self._authenticate(frame.token)
            else:
                await self._admit(frame)

    async def _admit(self, message: Message) -> None:
        if self._closing:
            await self._refuse(FrameError("unavailable", UNAVAILABLE))
            return
        now = time.monotonic()
        worker = self._worker
        refusal = message_refusal(self._accepted, now, worker.waiting if worker is not None else 0, self.settings)
        if refusal is not None:
            await self._refuse(refusal)
            return
        self._accepted.add(now)
        if worker is None:
            worker = self._worker = ChatWorker(self.services, self._thread, send=self._socket.send, drop=self._drop,
                                               user=self._user_now, log=self._log, dialect=self.dialect)
        worker.admit(message)

    async def _refuse(self, error: FrameError) -> None:
        now = time.monotonic()
        self._refused.add(now)
        self.services.telemetry.message_done(error.code)
        await self._socket.send(server_frames.error(error.code, error.message, error.details), by_reader=True)
        await self._socket.send(TYPING_OFF, by_reader=True)
        if flooded(self._refused, now, self.settings.messages_per_minute):
            self._log().warning("chat flooded, closing")
            await self._socket.close(CLOSE_POLICY, "demasiados mensajes")
            raise WebSocketDisconnect(CLOSE_POLICY)

    async def _authenticate(self, token: str) -> None:
        try:
            principal = await self.services.authenticate(token)
        except InvalidToken as error:
            self._token, self._user = None, None
            await self._socket.send(server_frames.error(error.code, error.detail), by_reader=True)
            return
        except DependencyUnavailable as error:  # the token cannot be checked now (shared state down)
            self._log().warning("chat authentication unavailable", error=error.code)
            await self._socket.send(server_frames.error("unavailable", UNAVAILABLE_NOW), by_reader=True)
            await self._socket.close(CLOSE_TRY_AGAIN_LATER, "servicio no disponible")
            raise WebSocketDisconnect(CLOSE_TRY_AGAIN_LATER) from None
        self._token, self._user = token, principal.user
        self._log().info("chat authenticated", user_id=principal.user.id)

    async def _user_now(self) -> User | None:
        """The user as of now (the worker asks at each message): a token revoked (logout) or an
        account disabled since the ``auth`` frame stops counting at the next message."""
        if self._token is None:
            return None
        try:
            principal = await self.services.authenticate(self._token)
        except InvalidToken:
            self._token, self._user = None, None
            raise
        self._user = principal.user
        return self._user

    def _drop(self) -> None:
        """Give up on a client that is gone or does not read: the reader stops waiting for it."""
        self._dropped = True
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()

"""One chat connection: it reads frames, enforces the limits and owns the socket; its worker
(worker.py) answers one message at a time.

The reader (the connection's own task) never waits on the model: it queues messages for a worker
task and stays free to see ``cancel``, ``ping`` and the client going away. Every user message gets
exactly one closing frame (its answer or an ``error``), and ``typing`` false is its last frame. The
connection's ``Dialect`` (the features the client asked for) chooses a voice note's frames.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from contextlib import suppress
from typing import Any

import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ova.bootstrap.chat import ChatServices
from ova.domain.errors import DependencyUnavailable, InvalidToken
from ova.domain.language import Language
from ova.domain.users import User
from ova.entrypoints.asgi.edge import server_send
from ova.entrypoints.asgi.messages import error_frame_in
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.client_frames import AuthMessage, Cancel, FrameError, Message, Ping
from ova.entrypoints.websocket.dialect import PUBLISHED, Dialect
from ova.entrypoints.websocket.drain import UNAVAILABLE
from ova.entrypoints.websocket.frame_reading import max_frame_bytes, read_frame
from ova.entrypoints.websocket.server_frames import TYPING_OFF, Frame
from ova.entrypoints.websocket.window import SlidingWindow
from ova.entrypoints.websocket.worker import ChatWorker, SlowClient

log = structlog.get_logger("ova.chat")

CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008
CLOSE_RESTART = 1012
CLOSE_TRY_AGAIN_LATER = 1013
UNAVAILABLE_NOW = "No se puede comprobar tu sesión ahora mismo; vuelve a conectar en unos segundos."
RATE_WINDOW_S = 60.0
REFUSALS_BEFORE_CLOSE = 5  # times the message limit: a client that keeps flooding is disconnected
DRAIN_QUIET_TIMES = 4  # a draining connection is closed after this many quiet periods at most


__all__ = ["CLOSE_POLICY", "ChatServices", "ChatSession", "SlowClient"]


class ChatSession:
    def __init__(self, websocket: WebSocket, services: ChatServices, *, chat_id: str | None, token: str | None,
                 dialect: Dialect = PUBLISHED, asked: Language | None = None,
                 preferred: Language | None = None) -> None:
        """``chat_id`` is the one the client asked for; without one the session starts a new chat.
        ``asked`` is the language of the URL's ``?lang=``, ``preferred`` the one of the upgrade
        request's ``Accept-Language``."""
        self.ws = websocket
        self.dialect = dialect
        self._raw_send = server_send(websocket.scope)
        self.services = services
        self.settings = services.settings
        converse = services.converse
        self._thread = (converse.thread(chat_id, asked=asked, preferred=preferred) if chat_id is not None
                        else converse.new_thread(asked=asked, preferred=preferred))
        self.chat_id = self._thread.chat_id
        self.client_id = "chat_" + secrets.token_hex(4)
        self._token = token
        self._user: User | None = None
        self._worker: ChatWorker | None = None  # made by the first message: idle connections have none
        self._send_lock = asyncio.Lock()
        self._accepted = SlidingWindow(RATE_WINDOW_S)
        self._refused = SlidingWindow(RATE_WINDOW_S)
        self._closing = False
        self._close_sent = False  # no frame may follow the close (the server raises RuntimeError)
        self._dropped = False
        self._reader: asyncio.Task[Any] | None = None
        # read by ``overdue`` (the registry's watchdog), instead of a timer per frame
        self._last_heard = time.monotonic()
        self._receiving = False
        self._send_since: float | None = None
        self._sent_by_reader = False  # which task is in ``_send`` now (the reader's or the worker's)
        self._gave_up: str | None = None  # "idle" or "slow" once the watchdog has stepped in
        self._max_frame = max_frame_bytes(self.settings.max_text_bytes, self.settings.max_audio_bytes)

    @property
    def generating(self) -> bool:
        return self._worker is not None and self._worker.generating

    @property
    def language(self) -> Language:
        """The conversation's language as known now (its error frames are written in it); the
        thread's ``language`` says the same, ``None`` while the first message has yet to decide it."""
        return self.services.converse.language_of(self._thread)

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
                await self._send(server_frames.connected(self.client_id, self.chat_id, self.dialect.features),
                                 by_reader=True)
                if self._closing:  # the shutdown began while the connection opened: nothing was sent yet
                    await self._close(CLOSE_RESTART, "reinicio del servicio")
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
                await self._close(CLOSE_NORMAL, "")
                self._log().info("chat disconnected")

    async def shutdown(self, grace_s: float) -> None:
        """Stop taking messages, let the answer in progress finish for up to ``grace_s`` seconds
        (then cancel it), and close with 1012 so that the client reconnects.

        Every message read from now on gets ``unavailable`` (``_admit``), queued ones too (the
        worker). The close waits for the client to have been quiet for ``drain_quiet_s``
        (``_quiet``): closing the moment the last answer was sent lost the message a client sends as
        soon as it has its answer, since it crossed the close frame on the wire (or sat, unread, in
        the server's queue: the server may send nothing after its close). No answer is stored for a
        message refused this way."""
        self._closing = True
        if self._worker is not None:
            await self._worker.shut_down(grace_s)
        await self._quiet(self.settings.drain_quiet_s)
        await self._close(CLOSE_RESTART, "reinicio del servicio")

    async def _quiet(self, quiet_s: float) -> None:
        """Return once the reader waits for a frame and none has come for ``quiet_s`` seconds (counted
        from now at the earliest), or after ``DRAIN_QUIET_TIMES`` times that: a client that keeps
        writing is closed anyway."""
        started = time.monotonic()
        give_up = started + DRAIN_QUIET_TIMES * quiet_s
        while not self._dropped and self._reader is not None and not self._reader.done():
            await asyncio.sleep(0)  # a reader woken by a frame already received takes it first
            now = time.monotonic()
            quiet_until = max(self._last_heard, started) + quiet_s
            if now >= give_up or (self._receiving and now >= quiet_until):
                return
            await asyncio.sleep(min(give_up, quiet_until) - now if now < quiet_until else 0.01)

    async def _close(self, code: int, reason: str) -> None:
        if self._close_sent:
            return
        if self.ws.application_state is WebSocketState.CONNECTED and self.ws.client_state is WebSocketState.CONNECTED:
            self._close_sent = True
            with suppress(TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
                await asyncio.wait_for(self.ws.close(code, reason), timeout=self.settings.send_timeout_s)

    def overdue(self, now: float) -> None:
        """Called about once a second by the registry's watchdog: a client that has not taken a frame
        for ``send_timeout_s`` is given up on, and one silent for ``idle_timeout_s`` is closed. (One
        check a second for every connection costs less than two timers for every frame.)"""
        if self._gave_up is not None:
            return
        if self._send_since is not None and now - self._send_since > self.settings.send_timeout_s:
            self._give_up("slow", self._reader if self._sent_by_reader else self._worker_task())
        elif self._receiving and now - self._last_heard > self.settings.idle_timeout_s:
            self._give_up("idle", self._reader)

    def _worker_task(self) -> asyncio.Task[Any] | None:
        return self._worker.task if self._worker is not None else None

    def _give_up(self, why: str, task: asyncio.Task[Any] | None) -> None:
        if task is not None and not task.done():
            self._gave_up = why
            task.cancel()

    def _stepped_in(self, why: str) -> bool:
        """Whether the watchdog's cancellation (and no other) interrupted the current task; if so it
        is taken back, so that the task goes on to close the connection."""
        if self._gave_up != why:
            return False
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        return True

    async def _send(self, frame: Frame | str, *, by_reader: bool = False) -> None:
        """Send one frame (a dict, or its JSON already); the worker sends unless ``by_reader`` (which
        the watchdog needs to know and ``asyncio.current_task`` would tell at a cost on every frame).

        Frames go to the server's own ASGI ``send`` (``server_send``): Starlette's ``WebSocket.send``
        and its two error-handling layers only check states this session tracks itself, and cost four
        coroutine frames per frame sent. A client gone is ``WebSocketDisconnect``, as Starlette says it."""
        if isinstance(frame, str):
            text = frame
        else:
            if frame.get("type") == "error":
                frame = error_frame_in(frame, self.language)
            text = json.dumps(frame, ensure_ascii=False)
        message = {"type": "websocket.send", "text": text}
        lock = self._send_lock
        await lock.acquire()  # uncontended unless a slow client holds back an earlier frame
        try:
            self._send_since, self._sent_by_reader = time.monotonic(), by_reader
            await self._raw_send(message)
        except asyncio.CancelledError:
            if self._stepped_in("slow"):
                raise SlowClient from None
            raise
        except OSError:
            raise WebSocketDisconnect(1006) from None
        except RuntimeError:
            if self._close_sent:  # a frame read after the close (it crossed it): nobody to tell
                raise WebSocketDisconnect() from None
            raise
        finally:
            self._send_since = None
            lock.release()

    # --- reading -------------------------------------------------------------------------------

    async def _read(self) -> None:
        while True:
            self._receiving = True
            try:
                message = await self.ws.receive()
            except asyncio.CancelledError:
                if not self._stepped_in("idle"):
                    raise
                self._log().info("chat idle, closing")
                await self._close(CLOSE_NORMAL, "inactividad")
                return
            finally:
                self._receiving = False
            self._last_heard = time.monotonic()
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
        if self._accepted.count(now) >= self.settings.messages_per_minute:
            retry_after = max(1, round(self._accepted.free_in(now)))
            limit = self.settings.messages_per_minute
            await self._refuse(FrameError("rate_limited", "Demasiados mensajes; espera un poco.",
                                          retry_after_s=retry_after, limit_per_minute=limit))
            return
        worker = self._worker
        waiting = worker.waiting if worker is not None else 0
        if waiting > self.settings.pending_per_connection:
            await self._refuse(FrameError("busy", "Aún estoy respondiendo a tus mensajes anteriores; espera un poco.",
                                          pending=waiting))
            return
        self._accepted.add(now)
        if worker is None:
            worker = self._worker = ChatWorker(self.services, self._thread, send=self._send, drop=self._drop,
                                               user=self._user_now, log=self._log, dialect=self.dialect)
        worker.admit(message)

    async def _refuse(self, error: FrameError) -> None:
        now = time.monotonic()
        self._refused.add(now)
        self.services.telemetry.message_done(error.code)
        await self._send(server_frames.error(error.code, error.message, error.details), by_reader=True)
        await self._send(TYPING_OFF, by_reader=True)
        if self._refused.count(now) > REFUSALS_BEFORE_CLOSE * self.settings.messages_per_minute:
            self._log().warning("chat flooded, closing")
            await self._close(CLOSE_POLICY, "demasiados mensajes")
            raise WebSocketDisconnect(CLOSE_POLICY)

    async def _authenticate(self, token: str) -> None:
        try:
            principal = await self.services.authenticate(token)
        except InvalidToken as error:
            self._token, self._user = None, None
            await self._send(server_frames.error(error.code, error.detail), by_reader=True)
            return
        except DependencyUnavailable as error:  # the token cannot be checked now (shared state down)
            self._log().warning("chat authentication unavailable", error=error.code)
            await self._send(server_frames.error("unavailable", UNAVAILABLE_NOW), by_reader=True)
            await self._close(CLOSE_TRY_AGAIN_LATER, "servicio no disponible")
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

"""One chat connection's socket as its session and worker use it: frames sent one at a time, one
close, and the marks the registry's watchdog reads to give up on a client.

The watchdog (``ChatSession.overdue``, about once a second) reads when the client was last heard and
since when a frame has waited on it, instead of a timer per frame; when it steps in it cancels the
task that waits, and ``stepped_in`` tells that task the cancellation was the watchdog's.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ova.application.chat.conversation import ChatThread, Converse
from ova.config.settings import ChatSettings
from ova.entrypoints.asgi.edge import server_send
from ova.entrypoints.asgi.messages import error_frame_in
from ova.entrypoints.websocket.server_frames import Frame

CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008
CLOSE_RESTART = 1012
CLOSE_TRY_AGAIN_LATER = 1013


class SlowClient(Exception):
    """The client did not read a frame within ``WS_SEND_TIMEOUT_S``: the server will not buffer for it."""


class ChatSocket:
    """The socket of one connection; ``error`` frames are written in the conversation's language as
    known when they are sent (``Converse.language_of``)."""

    __slots__ = ("_close_sent", "_converse", "_raw_send", "_send_lock", "_settings", "_thread", "gave_up",
                 "last_heard", "receiving", "send_since", "sent_by_reader", "ws")

    def __init__(self, websocket: WebSocket, settings: ChatSettings, converse: Converse, thread: ChatThread) -> None:
        self.ws = websocket
        self._raw_send = server_send(websocket.scope)
        self._settings = settings
        self._converse = converse
        self._thread = thread
        self._send_lock = asyncio.Lock()
        self._close_sent = False  # no frame may follow the close (the server raises RuntimeError)
        self.last_heard = time.monotonic()
        self.receiving = False  # the reader waits for a frame
        self.send_since: float | None = None
        self.sent_by_reader = False  # which task is in ``send`` now (the reader's or the worker's)
        self.gave_up: str | None = None  # "idle" or "slow" once the watchdog has stepped in

    async def close(self, code: int, reason: str) -> None:
        if self._close_sent:
            return
        if self.ws.application_state is WebSocketState.CONNECTED and self.ws.client_state is WebSocketState.CONNECTED:
            self._close_sent = True
            with suppress(TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
                await asyncio.wait_for(self.ws.close(code, reason), timeout=self._settings.send_timeout_s)

    def overdue(self, now: float) -> str | None:
        """Why the watchdog should step in now: ``"slow"`` (a frame has waited on the client for
        ``send_timeout_s``), ``"idle"`` (silent for ``idle_timeout_s``), or ``None``."""
        if self.gave_up is not None:
            return None
        if self.send_since is not None and now - self.send_since > self._settings.send_timeout_s:
            return "slow"
        if self.receiving and now - self.last_heard > self._settings.idle_timeout_s:
            return "idle"
        return None

    def give_up(self, why: str, task: asyncio.Task[Any] | None) -> None:
        if task is not None and not task.done():
            self.gave_up = why
            task.cancel()

    def stepped_in(self, why: str) -> bool:
        """Whether the watchdog's cancellation (and no other) interrupted the current task; if so it
        is taken back, so that the task goes on to close the connection."""
        if self.gave_up != why:
            return False
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        return True

    async def send(self, frame: Frame | str, *, by_reader: bool = False) -> None:
        """Send one frame (a dict, or its JSON already); the worker sends unless ``by_reader`` (which
        the watchdog needs to know and ``asyncio.current_task`` would tell at a cost on every frame).

        Frames go to the server's own ASGI ``send`` (``server_send``): Starlette's ``WebSocket.send``
        and its two error-handling layers only check states this socket tracks itself, and cost four
        coroutine frames per frame sent. A client gone is ``WebSocketDisconnect``, as Starlette says it."""
        if isinstance(frame, str):
            text = frame
        else:
            if frame.get("type") == "error":
                frame = error_frame_in(frame, self._converse.language_of(self._thread))
            text = json.dumps(frame, ensure_ascii=False)
        message = {"type": "websocket.send", "text": text}
        lock = self._send_lock
        await lock.acquire()  # uncontended unless a slow client holds back an earlier frame
        try:
            self.send_since, self.sent_by_reader = time.monotonic(), by_reader
            await self._raw_send(message)
        except asyncio.CancelledError:
            if self.stepped_in("slow"):
                raise SlowClient from None
            raise
        except OSError:
            raise WebSocketDisconnect(1006) from None
        except RuntimeError:
            if self._close_sent:  # a frame read after the close (it crossed it): nobody to tell
                raise WebSocketDisconnect() from None
            raise
        finally:
            self.send_since = None
            lock.release()

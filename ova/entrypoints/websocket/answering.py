"""The answering half of a chat connection: a worker task that answers the connection's queued
messages in order, one at a time, and stops the answer in progress when asked.

``Answering`` is mixed into ``ChatSession`` (session.py), which reads the frames, applies the limits
and owns the socket; the two share the queue and the flags declared below.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from contextlib import aclosing
from typing import Any

from starlette.websockets import WebSocketDisconnect

from ova.application.chat.conversation import ChatThread
from ova.application.speech.use_cases import SpeechRequest
from ova.bootstrap.chat import ChatServices
from ova.config.settings import ChatSettings
from ova.domain.errors import DomainError, InvalidToken
from ova.domain.speech import AudioClip
from ova.domain.users import User
from ova.entrypoints.websocket import frames
from ova.entrypoints.websocket.frames import AudioMessage, FrameError, Message

SPOKEN_CHARS = 1000
_ANSWER_PREFIX = "msg_" + secrets.token_hex(3)  # per process: ids stay unique across workers
_answer_numbers = itertools.count(1)
TYPING_ON = json.dumps(frames.typing(True))  # sent around every answer: serialized once
TYPING_OFF = json.dumps(frames.typing(False))


class SlowClient(Exception):
    """The client did not read a frame within ``WS_SEND_TIMEOUT_S``: the server will not buffer for it."""


class Answering:
    services: ChatServices
    settings: ChatSettings
    _thread: ChatThread
    _token: str | None
    _user: User | None
    _queue: list[Message]
    _worker: asyncio.Task[None] | None
    _wakeup: asyncio.Future[None] | None
    _answering: int  # 1 while the worker answers a message it took off the queue
    _replying: bool  # the worker is inside ``_reply`` (what ``cancel`` stops)
    _cancel_asked: bool
    _closing: bool

    @property
    def _log(self) -> Any:
        raise NotImplementedError

    async def _send(self, frame: dict[str, Any] | str, *, by_reader: bool = False) -> None:
        raise NotImplementedError

    def _drop(self) -> None:
        raise NotImplementedError

    async def _user_now(self) -> User | None:
        """The user as of now: a token revoked (logout) or an account disabled since the ``auth``
        frame stops counting at the next message."""
        if self._token is None:
            return None
        try:
            principal = await self.services.authenticate(self._token)
        except InvalidToken:
            self._token, self._user = None, None
            raise
        self._user = principal.user
        return self._user

    async def _work(self) -> None:
        """Answers the queued messages in order. Started by a connection's first message, it then
        waits for the next one (a future, cheaper than a task per message) until shutdown or the end
        of the connection; a connection that never writes has no worker at all."""
        loop = asyncio.get_running_loop()
        try:
            while not self._closing or self._queue:
                if not self._queue:
                    self._wakeup = loop.create_future()
                    await self._wakeup
                    continue
                message = self._queue.pop(0)
                if self._closing:
                    await self._send(frames.error("unavailable", "El servicio se está reiniciando; vuelve a conectar."))
                    await self._send(TYPING_OFF)
                    continue
                self._answering = 1
                try:
                    await self._answer(message)
                finally:
                    self._answering = 0
        except (WebSocketDisconnect, SlowClient, OSError, RuntimeError):
            self._queue.clear()
            if not self._closing:  # the client is gone or not reading: end the connection
                self._drop()

    def _wake_worker(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work())
        elif self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def _stop_worker(self) -> None:
        self._queue.clear()
        worker = self._worker
        if worker is not None and not worker.done() and worker is not asyncio.current_task():
            worker.cancel()
            await asyncio.wait({worker})

    def _cancel_reply(self) -> None:
        """Stop the answer being generated (``cancel`` frame, or the shutdown's grace is over): the
        worker is cancelled inside ``_reply`` and ``_answer`` turns that into a ``cancelled`` error."""
        if self._replying and not self._cancel_asked and self._worker is not None:
            self._cancel_asked = True
            self._worker.cancel()

    def _cancelled_by_request(self) -> bool:
        """Whether the cancellation just caught is ``_cancel_reply``'s alone; it is taken back if so."""
        asked, self._cancel_asked = self._cancel_asked, False
        worker = self._worker
        if not asked or worker is None:
            return False
        return worker.uncancel() == 0

    async def _answer(self, message: Message) -> None:
        answer_id = f"{_ANSWER_PREFIX}{next(_answer_numbers):x}"
        await self._send(TYPING_ON)
        outcome = "answered"
        self._replying = True
        try:
            await self._reply(message, answer_id)
        except asyncio.CancelledError:
            self._replying = False
            if not self._cancelled_by_request():
                raise
            outcome = "cancelled"
            await self._send(frames.error("cancelled", "Respuesta cancelada."))
        except (WebSocketDisconnect, SlowClient):
            raise
        except (DomainError, FrameError) as error:
            outcome = error.code
            await self._send(frames.refusal(error))
        except Exception:
            outcome = "internal_error"
            self._log.exception("chat answer failed")
            await self._send(frames.error("internal_error", "Error interno al responder; inténtalo de nuevo."))
        finally:
            self._replying = False
            if self._cancel_asked:  # asked too late to land inside the reply: taken back
                self._cancelled_by_request()
        self.services.telemetry.message_done(outcome)
        await self._send(TYPING_OFF)

    async def _reply(self, message: Message, answer_id: str) -> None:
        services = self.services
        if isinstance(message, AudioMessage):
            data = frames.decode_audio(message, max_bytes=self.settings.max_audio_bytes)
            heard = await services.transcribe(AudioClip(data, message.format))
            text = heard.transcript.text.strip()
            await self._send(frames.transcription(text))
            if not text:
                raise FrameError("no_speech", "No he entendido nada en la nota de voz.")
        else:
            text = message.text
        user = await self._user_now()
        pending = await services.converse.begin(self._thread, text, user=user)
        pieces: list[str] = []
        first_piece_s: float | None = None
        telemetry = services.telemetry
        telemetry.generation_started()
        try:
            started = time.perf_counter()
            async with aclosing(services.converse.stream(pending)) as stream:
                async for piece in stream:
                    if first_piece_s is None:
                        first_piece_s = time.perf_counter() - started
                    pieces.append(piece)
                    if message.stream and piece:
                        await self._send(frames.chunk(answer_id, piece))
            telemetry.generated(first_piece_s=first_piece_s, pieces=len(pieces), seconds=time.perf_counter() - started)
        finally:
            telemetry.generation_ended()
        turn = await services.converse.finish(pending, "".join(pieces))
        await self._send(frames.answer(answer_id, turn.text, turn.at))
        if isinstance(message, AudioMessage):
            await self._speak(turn.text)

    async def _speak(self, text: str) -> None:
        try:
            speech = await self.services.synthesize(SpeechRequest(text[:SPOKEN_CHARS]))
        except (DomainError, ValueError) as error:  # the text answer already closed the message
            self._log.warning("spoken answer failed", error=str(error)[:200])
            return
        await self._send(frames.spoken(text, speech.wav))

"""The answering side of a chat connection: a ``ChatWorker`` answers the connection's messages in
order, one at a time, in a task of its own, and stops the answer in progress when asked.

The session (session.py) reads the frames, applies the limits and owns the socket
(chat_socket.py); it makes its worker at the connection's first message (a connection that never
writes has none) and hands it what it needs as plain values and callables, so that the two share no
state:

- ``send``: one frame to the client (the socket's ``send``), from the worker's task; it raises
  ``WebSocketDisconnect`` when the client is gone and ``SlowClient`` when it does not read;
- ``drop``: give up on the connection (the client is gone or not reading);
- ``user``: who is writing as of now (a token revoked since the ``auth`` frame stops counting);
- ``log``: the connection's logger, bound when something is logged.

The session asks the worker how many messages it holds (``waiting``), gives it messages (``admit``),
stops the answer in progress (``cancel``) and ends it (``shut_down`` with a grace, ``stop`` at once).

No text frame it sends is larger than ``WS_MAX_FRAME_KB``: an answer is sent whole in one ``text``
frame (the contract's "complete answer", one bubble in the published client), so the answer itself is
cut where that frame would outgrow the limit (``AnswerFrames``, answer_frames.py), the model is
stopped there, and what is stored is what was sent. A frame never holds more than that, so a client
that does not read makes the server hold at most one such frame until ``WS_SEND_TIMEOUT_S`` gives up
on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from typing import Any

from starlette.websockets import WebSocketDisconnect

from ova.application.chat.conversation import ChatThread
from ova.bootstrap.chat import ChatServices
from ova.domain.errors import DomainError
from ova.domain.speech import AudioClip
from ova.domain.users import User
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.answer_frames import AnswerFrames
from ova.entrypoints.websocket.attachments import decode_audio, decode_image
from ova.entrypoints.websocket.chat_socket import SlowClient
from ova.entrypoints.websocket.client_frames import AudioMessage, FrameError, ImageMessage, Message
from ova.entrypoints.websocket.dialect import PUBLISHED, Dialect
from ova.entrypoints.websocket.drain import CUT_OFF_IN, UNAVAILABLE
from ova.entrypoints.websocket.server_frames import TYPING_OFF, TYPING_ON, Frame


class ChatWorker:
    """Answers one connection's messages. The frames of the message being answered (its chunks, a
    voice note's steps) are its ``AnswerFrames``'s to send, which is also the ``VoiceChatListener``
    of its voice notes; which frames a voice note's steps become is the connection's ``Dialect``'s
    choice. Slots: one is made per connection that writes."""

    __slots__ = ("_answering", "_cancel_asked", "_closing", "_converse", "_dialect", "_drop", "_frames", "_log",
                 "_max_audio_bytes", "_max_photo_bytes", "_photo", "_queue", "_replying", "_send", "_task",
                 "_telemetry", "_thread", "_user", "_voice", "_voiced", "_wakeup")

    def __init__(self, services: ChatServices, thread: ChatThread, *, send: Callable[[Frame | str], Awaitable[None]],
                 drop: Callable[[], None], user: Callable[[], Awaitable[User | None]],
                 log: Callable[[], Any], dialect: Dialect = PUBLISHED) -> None:
        self._dialect = dialect
        self._converse = services.converse
        self._voice = services.voice
        self._telemetry = services.telemetry
        self._max_audio_bytes = services.settings.max_audio_bytes
        self._photo = services.photo
        self._max_photo_bytes = services.max_photo_bytes
        self._voiced = False  # a voice note was sent: photos are answered aloud too
        self._thread = thread
        self._send = send
        self._drop = drop
        self._user = user
        self._log = log
        # a list, not a deque: a worker is made per connection that writes, and most hold one message
        self._queue: list[Message] = []
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Future[None] | None = None  # what a worker with nothing to do waits on
        self._answering = 0  # 1 while the task answers a message it took off the queue
        self._replying = False  # the task is inside ``_reply`` (what ``cancel`` stops)
        self._cancel_asked = False
        self._closing = False
        self._frames = AnswerFrames(send=send, user=user, log=log, telemetry=services.telemetry, dialect=dialect,
                                    max_sent_frame_bytes=services.settings.max_sent_frame_bytes)

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The task that answers (and sends), while there is one."""
        return self._task

    @property
    def waiting(self) -> int:
        """Messages queued or being answered: counted the same however the task has been scheduled
        so far (it may not have taken the first message off the queue when the next one is read)."""
        return len(self._queue) + self._answering

    @property
    def generating(self) -> bool:
        return self._replying

    # --- what the session asks -----------------------------------------------------------------

    def admit(self, message: Message) -> None:
        """Queue ``message``; the task starts with the first one, then waits for the next (a future,
        cheaper than a task per message) until the end of the connection."""
        self._queue.append(message)
        task = self._task
        if task is None or task.done():
            self._task = asyncio.create_task(self._work())
        elif self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def cancel(self) -> None:
        """Stop the answer being generated (``cancel`` frame, or the shutdown's grace is over): the
        task is cancelled inside ``_reply`` and ``_answer`` turns that into a ``cancelled`` error."""
        if self._replying and not self._cancel_asked and self._task is not None:
            self._cancel_asked = True
            self._task.cancel()

    async def shut_down(self, grace_s: float) -> None:
        """Take no more messages (those queued get ``unavailable``), let the answer in progress finish
        for up to ``grace_s`` seconds, then cancel it."""
        self._closing = True
        task = self._task
        if task is None or task.done():
            return
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)  # a waiting task sees ``_closing`` and ends
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=grace_s)
        except (TimeoutError, asyncio.CancelledError):
            self.cancel()
            await asyncio.wait({task}, timeout=max(1.0, grace_s))

    async def stop(self) -> None:
        """End at once: the connection is over."""
        self._queue.clear()
        task = self._task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            await asyncio.wait({task})

    # --- answering -----------------------------------------------------------------------------

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        queue = self._queue
        try:
            while not self._closing or queue:
                if not queue:
                    self._wakeup = loop.create_future()
                    await self._wakeup
                    continue
                message = queue.pop(0)
                if self._closing:
                    await self._send(server_frames.error("unavailable", UNAVAILABLE))
                    await self._send(TYPING_OFF)
                    continue
                self._answering = 1
                try:
                    await self._answer(message)
                finally:
                    self._answering = 0
        except (WebSocketDisconnect, SlowClient, OSError, RuntimeError):
            queue.clear()
            if not self._closing:  # the client is gone or not reading: end the connection
                self._drop()

    def _cancelled_by_request(self) -> bool:
        """Whether the cancellation just caught is ``cancel``'s alone; it is taken back if so."""
        asked, self._cancel_asked = self._cancel_asked, False
        task = self._task
        if not asked or task is None:
            return False
        return task.uncancel() == 0

    async def _answer(self, message: Message) -> None:
        """Every message gets exactly one closing frame (its answer, or an ``error``); ``typing`` off
        is its last frame."""
        answer = self._frames
        answer.begin(message.stream)
        await self._send(TYPING_ON)
        outcome = "answered"
        self._replying = True
        try:
            await self._reply(message)
        except asyncio.CancelledError:
            self._replying = False
            if not self._cancelled_by_request():
                raise
            if answer.unspoken is not None:  # stopped while speaking: the answer, stored, stands as text
                await answer.stands_unspoken()
            elif self._closing:  # the shutdown's grace is over: the client should come back
                outcome = "unavailable"
                await self._send(server_frames.error("unavailable", UNAVAILABLE))
            else:
                outcome = "cancelled"
                await self._send(server_frames.error("cancelled", "Respuesta cancelada."))
        except (WebSocketDisconnect, SlowClient):
            raise
        except (DomainError, FrameError) as error:
            outcome = error.code
            await self._send(server_frames.refusal(error))
        except Exception:
            outcome = "internal_error"
            self._log().exception("chat answer failed")
            await self._send(server_frames.error("internal_error", "Error interno al responder; inténtalo de nuevo."))
        finally:
            self._replying = False
            if self._cancel_asked:  # asked too late to land inside the reply: taken back
                self._cancelled_by_request()
        self._telemetry.message_done(outcome)
        await self._send(TYPING_OFF)

    async def _reply(self, message: Message) -> None:
        if isinstance(message, AudioMessage):
            data = decode_audio(message, max_bytes=self._max_audio_bytes)
            self._voiced = True
            await self._voice(self._thread, AudioClip(data, message.format), self._frames,
                              by_sentence=self._dialect.audio_chunks, language=message.language)
            return
        if isinstance(message, ImageMessage):
            await self._describe_photo(message)
            return
        converse, answer = self._converse, self._frames
        pending = await converse.begin(self._thread, message.text, user=await self._user(), language=message.spoken)
        try:
            async with aclosing(converse.stream(pending)) as pieces:
                text = await answer.streamed(pieces)
        except asyncio.CancelledError:
            if self._closing and answer.got:  # cut off by the shutdown: what was shown is kept, marked
                await converse.finish(pending, "".join(answer.got) + CUT_OFF_IN[pending.prompt.language])
            raise
        answer.got = ()
        turn = await converse.finish(pending, text)
        await self._send(server_frames.answer(answer.answer_id, turn.text, turn.at))

    async def _describe_photo(self, message: ImageMessage) -> None:
        """A photo's description and text, stored as the answer; sent as a text answer, or spoken the
        way a voice note's answer is (the dialect's frames) when the conversation is a voice one."""
        answer = self._frames
        data = decode_image(message, max_bytes=self._max_photo_bytes)
        reply = await self._photo(self._thread, data, user=await self._user(), language=message.spoken,
                                  fit=answer.fitted)
        turn = reply.turn
        if not (self._voiced if message.speak is None else message.speak):
            await self._send(server_frames.answer(answer.answer_id, turn.text, turn.at))
            return
        await answer.answered(turn)
        voice, language = self._voice, reply.language.value
        if self._dialect.audio_chunks:
            await voice.speak_by_sentence(turn.text, answer, language=language)
        else:
            await voice.speak(turn.text, answer, language=language)

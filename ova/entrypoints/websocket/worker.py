"""The answering side of a chat connection: a ``ChatWorker`` answers the connection's messages in
order, one at a time, in a task of its own, and stops the answer in progress when asked.

The session (session.py) reads the frames, applies the limits and owns the socket; it makes its
worker at the connection's first message (a connection that never writes has none) and hands it what
it needs as plain values and callables, so that the two share no state:

- ``send``: one frame to the client, from the worker's task; it raises ``WebSocketDisconnect`` when
  the client is gone and ``SlowClient`` when it does not read;
- ``drop``: give up on the connection (the client is gone or not reading);
- ``user``: who is writing as of now (a token revoked since the ``auth`` frame stops counting);
- ``log``: the connection's logger, bound when something is logged.

The session asks the worker how many messages it holds (``waiting``), gives it messages (``admit``),
stops the answer in progress (``cancel``) and ends it (``shut_down`` with a grace, ``stop`` at once).

No text frame it sends is larger than ``WS_MAX_FRAME_KB``: an answer is sent whole in one ``text``
frame (the contract's "complete answer", one bubble in the published client), so the answer itself is
cut where that frame would outgrow the limit, the model is stopped there, and what is stored is what
was sent. A frame never holds more than that, so a client that does not read makes the server hold
at most one such frame until ``WS_SEND_TIMEOUT_S`` gives up on it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import Any

from starlette.websockets import WebSocketDisconnect

from ova.application.chat.conversation import ChatThread
from ova.application.speech.sentences import SpokenSentence
from ova.bootstrap.chat import ChatServices
from ova.domain.chat import Turn
from ova.domain.errors import DomainError
from ova.domain.language import Language
from ova.domain.speech import AudioClip, Speech
from ova.domain.users import User
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.attachments import decode_audio, decode_image
from ova.entrypoints.websocket.client_frames import AudioMessage, FrameError, ImageMessage, Message
from ova.entrypoints.websocket.dialect import PUBLISHED, Dialect
from ova.entrypoints.websocket.frame_room import CUT_SHORT, FRAME_OVERHEAD, JSON_BYTES_PER_CHARACTER, fitting, json_size
from ova.entrypoints.websocket.server_frames import Frame

_ID_PREFIX = "msg_" + secrets.token_hex(3)  # per process: ids stay unique across workers
_id_numbers = itertools.count(1)
TYPING_ON = json.dumps(server_frames.typing(True))  # sent around every answer: serialized once
TYPING_OFF = json.dumps(server_frames.typing(False))
UNAVAILABLE = "El servicio se está reiniciando; vuelve a conectar."
CUT_OFF = " […] (respuesta interrumpida por un reinicio del servicio)"
"""Ends an answer stored as far as it had been written when the shutdown's grace ran out."""


CUT_OFF_IN: dict[Language, str] = {Language.ES: CUT_OFF, Language.EN: " […] (answer cut off by a service restart)"}


class SlowClient(Exception):
    """The client did not read a frame within ``WS_SEND_TIMEOUT_S``: the server will not buffer for it."""


def message_id() -> str:
    """A new id for a frame that is a bubble (an answer, or a voice note's words as the user's)."""
    return f"{_ID_PREFIX}{next(_id_numbers):x}"


class ChatWorker:
    """Answers one connection's messages; it is also the ``VoiceChatListener`` of its voice notes
    (``heard`` ... ``not_spoken``), so that a voice note makes no callbacks of its own. Which frames
    a voice note's steps become is the connection's ``Dialect``'s choice.

    Slots: one is made per connection that writes, and it holds what the message being answered
    needs (``_answer_id``, ``_streaming``, a voice note's answer waiting for its speech in
    ``_unspoken``) instead of passing it around in closures."""

    __slots__ = ("_answer_id", "_answer_room", "_answering", "_cancel_asked", "_closing", "_converse", "_dialect",
                 "_drop", "_got", "_log", "_max_audio_bytes", "_max_photo_bytes", "_photo", "_queue", "_replying",
                 "_send", "_streaming", "_task", "_telemetry", "_thread", "_unspoken", "_user", "_voice", "_voiced",
                 "_wakeup")

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
        # what an answer's text may take in its frame, keeping room for the mark of a cut answer
        self._answer_room = services.settings.max_sent_frame_bytes - FRAME_OVERHEAD - json_size(CUT_SHORT)
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
        self._answer_id = ""
        self._streaming = False
        self._got: Sequence[str] = ()  # the pieces of the answer being streamed
        self._unspoken: Turn | None = None  # a voice note's answer, stored, while its speech is made

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
        self._answer_id = message_id()
        self._streaming = message.stream
        self._unspoken = None
        await self._send(TYPING_ON)
        outcome = "answered"
        self._replying = True
        try:
            await self._reply(message)
        except asyncio.CancelledError:
            self._replying = False
            if not self._cancelled_by_request():
                raise
            if self._unspoken is not None:  # stopped while speaking: the answer, stored, stands as text
                await self._stands_unspoken()
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
            await self._voice(self._thread, AudioClip(data, message.format), self,
                              by_sentence=self._dialect.audio_chunks, language=message.language)
            return
        if isinstance(message, ImageMessage):
            await self._describe_photo(message)
            return
        converse = self._converse
        pending = await converse.begin(self._thread, message.text, user=await self._user(), language=message.spoken)
        try:
            async with aclosing(converse.stream(pending)) as pieces:
                text = await self.streamed(pieces)
        except asyncio.CancelledError:
            if self._closing and self._got:  # cut off by the shutdown: what was shown is kept, marked
                await converse.finish(pending, "".join(self._got) + CUT_OFF_IN[pending.prompt.language])
            raise
        self._got = ()
        turn = await converse.finish(pending, text)
        await self._send(server_frames.answer(self._answer_id, turn.text, turn.at))

    async def _describe_photo(self, message: ImageMessage) -> None:
        """A photo's description and text, stored as the answer; sent as a text answer, or spoken the
        way a voice note's answer is (the dialect's frames) when the conversation is a voice one."""
        data = decode_image(message, max_bytes=self._max_photo_bytes)
        reply = await self._photo(self._thread, data, user=await self._user(), language=message.spoken,
                                  fit=self._fitted)
        turn = reply.turn
        if not (self._voiced if message.speak is None else message.speak):
            await self._send(server_frames.answer(self._answer_id, turn.text, turn.at))
            return
        await self.answered(turn)
        voice, language = self._voice, reply.language.value
        if self._dialect.audio_chunks:
            await voice.speak_by_sentence(turn.text, self, language=language)
        else:
            await voice.speak(turn.text, self, language=language)

    def _fitted(self, text: str) -> str:
        """``text``, cut to what one answer frame carries (``WS_MAX_FRAME_KB``), marked when cut."""
        if json_size(text) <= self._answer_room:
            return text
        self._log().info("photo answer cut to fit one frame (WS_MAX_FRAME_KB)")
        return fitting(text, self._answer_room) + CUT_SHORT

    # --- the answer as it goes (for a voice note: ``VoiceChatListener``) -----------------------

    async def streamed(self, pieces: AsyncIterator[str]) -> str:
        """The model's answer, joined; sent a ``chunk`` at a time when the message asked for it.

        An answer that would not fit in one frame ends at the last character that fits, followed by
        ``CUT_SHORT``; the model is not asked for more (the caller closes ``pieces``)."""
        answer_id, streaming, send, telemetry = self._answer_id, self._streaming, self._send, self._telemetry
        room = self._answer_room
        got: list[str] = []
        self._got = got
        first_piece_s: float | None = None
        most = 0  # the answer's size in its frame at most (6 bytes a character): exact sizes only past ``room``
        size = -1  # the exact size, once counted
        telemetry.generation_started()
        try:
            started = time.perf_counter()
            async for piece in pieces:
                if first_piece_s is None:
                    first_piece_s = time.perf_counter() - started
                most += JSON_BYTES_PER_CHARACTER * len(piece)
                cut = False
                if most > room:
                    if size < 0:
                        size = json_size("".join(got))
                    # a character takes at least a byte: a piece longer than the room left does not fit
                    added = json_size(piece) if len(piece) <= room - size else room + 1
                    if size + added > room:
                        piece, cut = fitting(piece, room - size) + CUT_SHORT, True
                    size += added
                got.append(piece)
                if streaming and piece:
                    await send(server_frames.chunk(answer_id, piece))
                if cut:
                    self._log().info("chat answer cut to fit one frame (WS_MAX_FRAME_KB)")
                    break
            telemetry.generated(first_piece_s=first_piece_s, pieces=len(got), seconds=time.perf_counter() - started)
        finally:
            telemetry.generation_ended()
        return "".join(got)

    async def heard(self, text: str) -> None:
        await self._show(self._dialect.heard(text))

    async def current_user(self) -> User | None:
        return await self._user()

    async def asked(self, question: Turn) -> None:
        await self._show(self._dialect.asked(message_id(), question))

    async def answered(self, turn: Turn) -> None:
        self._unspoken = turn
        await self._show(self._dialect.answered(self._answer_id, turn))

    async def spoken(self, text: str, speech: Speech) -> None:
        answer, self._unspoken = self._unspoken, None
        assert answer is not None, "spoken before answered"
        await self._send(self._dialect.spoken(self._answer_id, answer, speech.wav))

    async def spoken_sentence(self, sentence: SpokenSentence) -> None:
        await self._send(server_frames.audio_chunk(self._answer_id, sentence.index, sentence.text, sentence.speech.wav,
                                            final=sentence.final))

    async def not_spoken(self, error: Exception) -> None:
        self._log().warning("spoken answer failed", error=str(error)[:200])
        await self._stands_unspoken()

    async def _stands_unspoken(self) -> None:
        answer, self._unspoken = self._unspoken, None
        if answer is not None:
            await self._show(self._dialect.unspoken(self._answer_id, answer))

    async def _show(self, frame: Frame | None) -> None:
        if frame is not None:
            await self._send(frame)

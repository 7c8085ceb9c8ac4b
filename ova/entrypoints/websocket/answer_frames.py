"""The frames of the message a chat worker is answering: its answer's id, the answer's ``chunk``
frames as the model writes it (cut where one frame would outgrow ``WS_MAX_FRAME_KB``), and a voice
reply's steps as the connection's ``Dialect`` shows them.

One ``AnswerFrames`` is made per worker (not per message) and is the ``VoiceChatListener`` of its
voice notes and spoken photos, so that a voice note makes no callbacks of its own; ``begin`` readies
it for the next message. It holds what the message being answered needs (``answer_id``,
``streaming``, the pieces streamed so far in ``got``, a voice note's answer waiting for its speech in
``unspoken``) instead of passing it around in closures.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from ova.application.ports.telemetry import ChatTelemetry
from ova.application.speech.sentences import SpokenSentence
from ova.domain.chat import Turn
from ova.domain.speech import Speech
from ova.domain.users import User
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.dialect import Dialect
from ova.entrypoints.websocket.frame_room import CUT_SHORT, FRAME_OVERHEAD, JSON_BYTES_PER_CHARACTER, fitting, json_size
from ova.entrypoints.websocket.server_frames import Frame

_ID_PREFIX = "msg_" + secrets.token_hex(3)  # per process: ids stay unique across workers
_id_numbers = itertools.count(1)


def message_id() -> str:
    """A new id for a frame that is a bubble (an answer, or a voice note's words as the user's)."""
    return f"{_ID_PREFIX}{next(_id_numbers):x}"


class AnswerFrames:
    """Sends the frames of the message being answered; the worker calls ``begin`` before each one."""

    __slots__ = ("_dialect", "_log", "_send", "_telemetry", "_user", "answer_id", "got", "room", "streaming",
                 "unspoken")

    def __init__(self, *, send: Callable[[Frame | str], Awaitable[None]], user: Callable[[], Awaitable[User | None]],
                 log: Callable[[], Any], telemetry: ChatTelemetry, dialect: Dialect, max_sent_frame_bytes: int) -> None:
        self._send = send
        self._user = user
        self._log = log
        self._telemetry = telemetry
        self._dialect = dialect
        # what an answer's text may take in its frame, keeping room for the mark of a cut answer
        self.room = max_sent_frame_bytes - FRAME_OVERHEAD - json_size(CUT_SHORT)
        self.answer_id = ""
        self.streaming = False
        self.got: Sequence[str] = ()  # the pieces of the answer being streamed
        self.unspoken: Turn | None = None  # a voice note's answer, stored, while its speech is made

    def begin(self, streaming: bool) -> None:
        """Ready for the next message: a new answer id, ``chunk`` frames or not, nothing unspoken."""
        self.answer_id = message_id()
        self.streaming = streaming
        self.unspoken = None

    def fitted(self, text: str) -> str:
        """``text``, cut to what one answer frame carries (``WS_MAX_FRAME_KB``), marked when cut."""
        if json_size(text) <= self.room:
            return text
        self._log().info("photo answer cut to fit one frame (WS_MAX_FRAME_KB)")
        return fitting(text, self.room) + CUT_SHORT

    # --- the answer as it goes (for a voice note: ``VoiceChatListener``) -----------------------

    async def streamed(self, pieces: AsyncIterator[str]) -> str:
        """The model's answer, joined; sent a ``chunk`` at a time when the message asked for it.

        An answer that would not fit in one frame ends at the last character that fits, followed by
        ``CUT_SHORT``; the model is not asked for more (the caller closes ``pieces``)."""
        answer_id, streaming, send, telemetry = self.answer_id, self.streaming, self._send, self._telemetry
        room = self.room
        got: list[str] = []
        self.got = got
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
        self.unspoken = turn
        await self._show(self._dialect.answered(self.answer_id, turn))

    async def spoken(self, text: str, speech: Speech) -> None:
        answer, self.unspoken = self.unspoken, None
        assert answer is not None, "spoken before answered"
        await self._send(self._dialect.spoken(self.answer_id, answer, speech.wav))

    async def spoken_sentence(self, sentence: SpokenSentence) -> None:
        await self._send(server_frames.audio_chunk(self.answer_id, sentence.index, sentence.text, sentence.speech.wav,
                                                   final=sentence.final))

    async def not_spoken(self, error: Exception) -> None:
        self._log().warning("spoken answer failed", error=str(error)[:200])
        await self.stands_unspoken()

    async def stands_unspoken(self) -> None:
        """A voice note's answer, stored, stands as text: its speech failed or was stopped."""
        answer, self.unspoken = self.unspoken, None
        if answer is not None:
            await self._show(self._dialect.unspoken(self.answer_id, answer))

    async def _show(self, frame: Frame | None) -> None:
        if frame is not None:
            await self._send(frame)

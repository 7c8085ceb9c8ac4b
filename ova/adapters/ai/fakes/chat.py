"""A scripted chat model: no model, deterministic, observable.

Besides the default answer it obeys a few commands in the message, so that tests driving a server in
another process (which can only see the frames it sends) can still steer it:

- ``!history``: answers with the history the model was given, one ``speaker: text`` per turn joined
  by `` | `` (``(sin historial)`` when there is none);
- ``!system``: answers with the system prompt it was given (which says the conversation's language);
- ``!slow <seconds> <pieces>``: streams ``pieza 1 ``, ``pieza 2 ``, ... waiting ``seconds`` before
  each piece (the first included), so a generation can be cancelled or overlapped on purpose;
- ``!fail``: raises ``ModelUnavailable`` before any piece;
- ``!empty``: an answer with no pieces at all;
- ``!flaky <n>``: the first ``n`` answers to this exact message are blank (one piece of spaces), the
  next ones normal: an engine that answers nothing now and then;
- ``!big <kib> <pieces>``: ``pieces`` pieces of ``kib`` KiB each, at once (a flood for slow readers).

Anything else is answered ``Respuesta a: {message}``, streamed a word (and the spaces after it) at a
time, ``piece_delay_s`` apart.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncGenerator, Sequence

from ova.application.ports.chat import ChatPrompt
from ova.domain.chat import Turn
from ova.domain.errors import Busy, ModelUnavailable

NO_HISTORY = "(sin historial)"
_WORDS = re.compile(r"\S+\s*")


PROMPTS_KEPT = 1000

class FakeChatModel:
    """Records every prompt in ``prompts``; ``active`` counts the streams running now and
    ``cancelled`` the streams closed (``aclose()``, cancellation) before their last piece.
    ``capacity`` (``None``: unlimited) is how many streams may run at once before ``Busy``."""

    model = "fake-chat"
    loaded = True

    def __init__(self, *, piece_delay_s: float = 0.0, capacity: int | None = None) -> None:
        self.piece_delay_s = piece_delay_s
        self.capacity = capacity
        self.prompts: deque[ChatPrompt] = deque(maxlen=PROMPTS_KEPT)  # a long-running fake server stays small
        self.active = 0
        self.cancelled = 0
        self.completed = 0
        self._flaky: dict[str, int] = {}

    async def stream(self, prompt: ChatPrompt) -> AsyncGenerator[str, None]:
        self.prompts.append(prompt)
        pieces, delay, before_first = self._script(prompt)
        if self.capacity is not None and self.active >= self.capacity:
            raise Busy()
        self.active += 1
        finished = False
        try:
            for index, piece in enumerate(pieces):
                if delay and (index or before_first):
                    await asyncio.sleep(delay)
                yield piece
            finished = True
            self.completed += 1
        finally:
            self.active -= 1
            if not finished:
                self.cancelled += 1

    def _script(self, prompt: ChatPrompt) -> tuple[list[str], float, bool]:
        """The pieces to stream, the wait between them and whether the first one waits too."""
        command, *args = prompt.message.split() or [""]
        if command == "!fail":
            raise ModelUnavailable("El modelo de chat de prueba falla a propósito (!fail).")
        if command == "!empty":
            return [], 0.0, False
        if command == "!flaky":
            seen = self._flaky[prompt.message] = self._flaky.get(prompt.message, 0) + 1
            if seen <= int(args[0] if args else 1):
                return ["  "], 0.0, False
        if command == "!history":
            return words(history_text(prompt.history)), self.piece_delay_s, False
        if command == "!system":
            return words(prompt.system), self.piece_delay_s, False
        if command == "!big":
            kib, count = _slow_args(args)
            return ["x" * int(kib * 1024)] * count, 0.0, False
        if command == "!slow":
            seconds, count = _slow_args(args)
            return [f"pieza {number} " for number in range(1, count + 1)], seconds, True
        return words(f"Respuesta a: {prompt.message}"), self.piece_delay_s, False


def history_text(history: Sequence[Turn]) -> str:
    return " | ".join(f"{turn.speaker.value}: {turn.text}" for turn in history) or NO_HISTORY


def words(text: str) -> list[str]:
    """``"Respuesta a: hola"`` -> ``["Respuesta ", "a: ", "hola"]``."""
    return _WORDS.findall(text)


def _slow_args(args: list[str]) -> tuple[float, int]:
    try:
        seconds = float(args[0]) if args else 0.1
        count = int(args[1]) if len(args) > 1 else 5
    except ValueError:
        return 0.1, 5
    return max(0.0, seconds), max(0, count)

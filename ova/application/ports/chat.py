from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Protocol

from attrs import frozen

from ova.domain.chat import Turn
from ova.domain.language import Language


@frozen
class ChatPrompt:
    """What the model sees: who it is, the recent turns (oldest first) and the new message, and the
    language the conversation is held in (which ``system`` tells the model to answer in)."""

    system: str
    history: Sequence[Turn]
    message: str
    language: Language = Language.ES


class ChatModel(Protocol):
    """Answers a prompt as an async stream of text pieces (tokens or a few characters each).

    The stream must stop promptly, and free whatever it holds (a thread, a connection), when the
    consumer stops iterating: ``aclose()`` on the iterator or cancellation of the task awaiting it.
    Raises ``ModelUnavailable`` when the model cannot answer and ``Busy`` when too many generations
    are already running or waiting in this process.
    """

    @property
    def model(self) -> str: ...

    def stream(self, prompt: ChatPrompt) -> AsyncGenerator[str, None]: ...

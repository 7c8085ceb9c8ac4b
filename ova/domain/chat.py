"""Conversations with the assistant: who owns them and the turns they hold."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from attrs import define, frozen

from ova.domain.errors import Forbidden
from ova.domain.language import Language

TITLE_LENGTH = 80
CHAT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
"""What a chat id may be (a client may choose its own): letters, digits, ``-`` and ``_``, up to 64."""
_CHAT_ID = re.compile(CHAT_ID_PATTERN)


def is_valid_chat_id(chat_id: str) -> bool:
    return _CHAT_ID.match(chat_id) is not None


class Speaker(enum.StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


@frozen
class Turn:
    """One message of a conversation: what the user said or what the assistant answered."""

    speaker: Speaker
    text: str
    at: datetime
    id: int | None = None

    @property
    def is_user(self) -> bool:
        return self.speaker is Speaker.USER


@define
class Conversation:
    """A chat. ``owner_id`` is ``None`` for an anonymous chat: whoever holds its (random) id may
    continue it, and the first logged-in user who writes in it becomes its owner.

    ``language`` is the language it is held in (the system prompt, the answers and the error
    messages follow it), chosen at its first message and kept when it continues; ``None`` only for
    a chat stored before chats had one, or not yet written in."""

    id: str
    created_at: datetime
    updated_at: datetime
    owner_id: int | None = None
    title: str = ""
    message_count: int = 0
    language: Language | None = None

    def admit(self, user_id: int | None, *, is_admin: bool = False) -> None:
        """Raise ``Forbidden`` unless this user may read or continue the chat; an anonymous chat is
        claimed by the first logged-in user who writes in it."""
        if self.owner_id is None:
            self.owner_id = user_id
        elif self.owner_id != user_id and not is_admin:
            raise Forbidden("Esta conversación pertenece a otra cuenta.")

    def record(self, turn: Turn) -> None:
        if not self.title and turn.is_user:
            self.title = title_from(turn.text)
        self.message_count += 1
        self.updated_at = turn.at


def title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def within_budget(turns: list[Turn], *, max_turns: int, max_chars: int) -> list[Turn]:
    """The most recent turns, oldest first, that fit both budgets (the model's context)."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(turns[-max_turns:] if max_turns else []):
        used += len(turn.text)
        if used > max_chars:
            break
        kept.append(turn)
    kept.reverse()
    return kept


def stable_window(turns: list[Turn], *, first_index: int, max_turns: int, max_chars: int) -> list[Turn]:
    """The latest turns the model sees: at most ``max_turns`` and ``max_chars``; ``turns`` are the
    conversation's last ones and ``turns[0]`` is its turn number ``first_index`` (from 0).

    Old turns leave the window in blocks of about half ``max_turns`` (an even number, so that the
    window starts with a user's turn), never one exchange at a time: its start, which is where the
    model's prompt begins after the system prompt, then stays put for several exchanges and the model
    reuses what it computed for that prefix. A window sliding by one exchange at every message would
    change the whole prompt each time, and every earlier turn would be read again before the first
    token. The character budget moves the start by whole blocks too; only turns too long for it even
    then are dropped one by one (``within_budget``).
    """
    if max_turns <= 0:
        return []
    total = first_index + len(turns)
    step = max(2, (max_turns // 2 + 1) // 2 * 2)
    start = 0 if total <= max_turns else -(-(total - max_turns) // step) * step
    start = max(start, first_index)
    while start + step < total and sum(len(turn.text) for turn in turns[start - first_index:]) > max_chars:
        start += step
    return within_budget(turns[start - first_index:], max_turns=max_turns, max_chars=max_chars)

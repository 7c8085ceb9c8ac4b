"""How a conversation is fitted into the local model's context window: the oldest turns go first."""

from __future__ import annotations

from collections.abc import Callable

from ova.application.ports.chat import ChatPrompt
from ova.domain.chat import Speaker
from ova.domain.errors import InvalidInput

MESSAGE_OVERHEAD = 8
"""Tokens the chat template adds around each message (``<|im_start|>role\\n ... <|im_end|>\\n`` is 5)."""
MIN_ANSWER_TOKENS = 32
"""A prompt that leaves less room than this for the answer is refused rather than answered in a word."""


def fit_prompt(
    prompt: ChatPrompt, count_tokens: Callable[[str], int], *, context_window: int, max_tokens: int,
) -> tuple[list[dict[str, str]], int]:
    """The chat messages ``[system, *history, user]`` and the answer's token budget. The oldest turns
    are dropped until the prompt leaves room for ``max_tokens`` (at most half the window) and the
    answer gets what is left, up to ``max_tokens``; a message that leaves less than
    ``MIN_ANSWER_TOKENS`` even alone is ``InvalidInput``."""

    def size(message: dict[str, str]) -> int:
        return count_tokens(message["content"]) + MESSAGE_OVERHEAD

    system = [{"role": "system", "content": prompt.system}] if prompt.system else []
    history = [
        {"role": "user" if turn.speaker is Speaker.USER else "assistant", "content": turn.text}
        for turn in prompt.history
    ]
    message = {"role": "user", "content": prompt.message}
    sizes = [size(item) for item in history]
    total = MESSAGE_OVERHEAD + sum(size(item) for item in (*system, message)) + sum(sizes)
    room = context_window - min(max_tokens, context_window // 2)
    first = 0
    while total > room and first < len(history):
        total -= sizes[first]
        first += 1
    left = context_window - total
    if left < min(MIN_ANSWER_TOKENS, max_tokens):
        raise InvalidInput("El mensaje es demasiado largo para el modelo de chat local.", field="message")
    return [*system, *history[first:], message], min(max_tokens, left)

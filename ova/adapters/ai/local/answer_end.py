"""How a streamed answer ends when the model reaches its token limit: on a whole word, with ``…``.

A model stopped by ``max_tokens`` stops wherever the limit falls, often inside a word ("...con
tomate y ceb"), and a listener cannot tell a cut answer from a finished one. So in its last
``HOLD_TOKENS`` tokens the answer is passed on a word at a time, the word being written held back;
if the limit then cuts it, the partial word is dropped and ``CUT_MARK`` ends the answer
("...con tomate y…"), read as a pause and shown as an ellipsis. An answer that ends by itself loses
nothing, and before the last tokens nothing is held, so the first token is not delayed.
"""

from __future__ import annotations

import re

CUT_MARK = "…"
HOLD_TOKENS = 8
"""Tokens before the limit from which words are held back: longer than any word's tokens."""
SENTENCE_END = (".", "!", "?", "…", ":", ";")
_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")


class AnswerEnd:
    """Fed each piece (one token of an answer of at most ``max_tokens``), gives back what may be
    sent now; ``finished()`` or ``cut()`` gives the rest."""

    def __init__(self, max_tokens: int) -> None:
        self._hold_from = max(0, max_tokens - HOLD_TOKENS)
        self._tokens = 0
        self._held = ""
        self._last = ""  # the last character sent that is not a space ("": nothing sent yet)

    def feed(self, piece: str) -> str:
        self._tokens += 1
        text = self._held + piece
        if self._tokens <= self._hold_from:
            self._held = ""
            return self._out(text)
        space = _LAST_SPACE.search(text)
        if space is None or space.start() == 0:
            self._held = text
            return ""
        self._held = text[space.start():]
        return self._out(text[:space.start()])

    def finished(self) -> str:
        """The answer ended by itself: whatever was held back."""
        held, self._held = self._held, ""
        return self._out(held)

    def cut(self) -> str:
        """The token limit ended the answer: a held word is dropped unless it ends a sentence, and
        ``CUT_MARK`` closes it (an answer of one unfinished word keeps it)."""
        held, self._held = self._held.rstrip(), ""
        if held.endswith(SENTENCE_END) or (not held and self._last.endswith(SENTENCE_END)):
            return self._out(held)
        if not self._last:
            return self._out(held.strip() + CUT_MARK)
        return CUT_MARK

    def _out(self, text: str) -> str:
        self._last = text.rstrip()[-1:] or self._last
        return text

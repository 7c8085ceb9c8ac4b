"""What JSON text the edge refuses before its values go anywhere: nesting past ``MAX_JSON_DEPTH``
and strings holding a lone UTF-16 surrogate.

``json.loads`` recurses once per ``[``/``{``, so a body of a few hundred kilobytes of brackets
ends in ``RecursionError``; no request of the contract nests more than a few levels, so anything
past ``MAX_JSON_DEPTH`` is refused before it is parsed. ``\\ud800`` is valid JSON syntax but not
a character: such a string cannot be encoded as UTF-8, so a database driver or a WebSocket send
would fail on it. Both checks start with substring counts that ordinary bodies pass at once; the
exact scan runs only when the counts allow a problem.
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_JSON_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# After strings are removed: ``[``/``{`` become byte 1 and ``]``/``}`` byte 255 (-1 as a signed byte).
_BRACKETS = {ord("["): "\x01", ord("{"): "\x01", ord("]"): "\xff", ord("}"): "\xff"}
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting of ``text`` outside its strings (exact for valid JSON)."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text)).translate(_BRACKETS)
    signed = memoryview(brackets.encode("latin-1")).cast("b")
    return max(accumulate(signed), default=0)


def too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests deeper than ``limit``; its length, then a count of openers, settles
    most texts at once."""
    return len(text) > limit and text.count("[") + text.count("{") > limit and nesting_depth(text) > limit


def may_hold_surrogate(text: str) -> bool:
    """Whether parsing ``text`` could give a string with a surrogate (an escape, or a surrogate
    character already in the text, as ``json.loads`` of bytes lets through); false for most texts
    after one substring search."""
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None:
        return True
    return not text.isascii() and _SURROGATE.search(text) is not None


def lone_surrogate_at(value: object, path: str = "") -> str | None:
    """The dotted path (``items.0.nombre``, ``body`` for the top) of the first string in a parsed
    JSON value that holds a surrogate, or ``None``. A key holding one is reported at its object,
    since the key itself cannot be written back in the answer."""
    if isinstance(value, str):
        return (path or "body") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)  # type: ignore[assignment]
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _SURROGATE.search(key):
            return path or "body"
        found = lone_surrogate_at(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None

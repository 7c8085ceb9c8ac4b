"""How much of an answer fits in one sent frame (``WS_MAX_FRAME_KB``), counted as the frame will be
written: UTF-8 with JSON escapes."""

from __future__ import annotations

import json

CUT_SHORT = " […]"
"""Ends an answer cut to fit in one frame (``WS_MAX_FRAME_KB``)."""
FRAME_OVERHEAD = 256
"""Bytes of a ``text`` frame besides its text (type, id, flag, timestamp: about 120), with room to spare."""
JSON_BYTES_PER_CHARACTER = 6
"""The most one character takes in a frame: a control character's ``\\u00XX`` escape."""


def json_size(text: str) -> int:
    """Bytes ``text`` takes inside a frame (UTF-8, JSON escapes, without the quotes)."""
    return len(json.dumps(text, ensure_ascii=False).encode(errors="surrogatepass")) - 2


def fitting(text: str, room: int) -> str:
    """The longest beginning of ``text`` that takes at most ``room`` bytes in a frame."""
    low, high = 0, max(0, min(len(text), room))
    while low < high:
        middle = (low + high + 1) // 2
        if json_size(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low]

"""The frames the server sends on the chat socket (contract section 8), each built as a dict that
is sent as JSON: the first ``connected``, ``typing`` around every answer, the answer's ``chunk`` and
``text`` frames, a voice reply's ``transcription`` and ``audio`` frames, and ``error``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ova.domain.errors import DomainError, TooManyAttempts
from ova.entrypoints.asgi.converter import dump_datetime
from ova.entrypoints.websocket.client_frames import FrameError

Frame = dict[str, Any]


def connected(client_id: str, chat_id: str, features: Sequence[str] = ()) -> Frame:
    """The first frame; ``features`` (the richer frames the client asked for) only when it asked."""
    frame: Frame = {"type": "connected", "client_id": client_id, "chat_id": chat_id, "status": "connected"}
    if features:
        frame["features"] = list(features)
    return frame


def typing(is_typing: bool) -> Frame:
    return {"type": "typing", "is_typing": is_typing}


TYPING_ON = json.dumps(typing(True))  # sent around every answer: serialized once
TYPING_OFF = json.dumps(typing(False))


def chunk(answer_id: str, text: str) -> Frame:
    return {"type": "chunk", "id": answer_id, "text": text}


def answer(answer_id: str, text: str, at: datetime) -> Frame:
    """The assistant's answer: one bubble in the published client."""
    return {"type": "text", "id": answer_id, "text": text, "is_user": False, "timestamp": dump_datetime(at)}


def question(message_id: str, text: str, at: datetime) -> Frame:
    """The user's own words as the user's bubble (a voice note's transcript, as stored)."""
    return {"type": "text", "id": message_id, "text": text, "is_user": True, "timestamp": dump_datetime(at)}


def spoken_answer(answer_id: str, text: str, at: datetime, wav: bytes) -> Frame:
    """The answer and its speech in one frame: the ``answer`` frame's fields plus ``audio``, so that
    a client that makes a bubble of every ``text`` and ``audio`` frame shows the answer once."""
    return {"type": "audio", "id": answer_id, "text": text, "is_user": False, "timestamp": dump_datetime(at),
            "audio": wav_url(wav)}


def transcription(text: str) -> Frame:
    return {"type": "transcription", "text": text}


def spoken(answer_id: str, text: str, wav: bytes) -> Frame:
    """The speech of the answer sent before as ``text`` under the same ``id``."""
    return {"type": "audio", "id": answer_id, "text": text, "audio": wav_url(wav)}


def wav_url(wav: bytes) -> str:
    return "data:audio/wav;base64," + base64.b64encode(wav).decode()


def audio_chunk(answer_id: str, index: int, text: str, wav: bytes, *, final: bool) -> Frame:
    """One sentence of a spoken answer (``index`` from 0; the last has ``final`` true)."""
    return {"type": "audio_chunk", "id": answer_id, "index": index, "text": text,
            "audio": wav_url(wav), "final": final}


def error(code: str, message: str, details: dict[str, Any] | None = None) -> Frame:
    return {"type": "error", "error": message, "code": code, "details": details or {}}


def refusal(failure: DomainError | FrameError) -> Frame:
    """The ``error`` frame for a refused frame or a failed use case (``retry_after_s`` when known)."""
    if isinstance(failure, FrameError):
        return error(failure.code, failure.message, failure.details)
    details: dict[str, Any] = {}
    retry_after = getattr(failure, "retry_after_s", None)
    if isinstance(failure, TooManyAttempts) or retry_after is not None:
        details["retry_after_s"] = retry_after
    return error(failure.code, failure.detail, details)

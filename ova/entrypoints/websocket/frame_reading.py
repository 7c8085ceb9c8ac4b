"""Reading one client text frame (contract section 8) into a client frame, or refusing it.

A text frame that is not a JSON object is a plain user message, as the documented system accepted,
however deep its brackets. A JSON object nested deeper than ``MAX_JSON_DEPTH``, or holding a lone
surrogate (``\\ud800``, which no UTF-8 text can carry) in a string, is an ``invalid_frame``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ova.domain.language import UnknownLanguage, parse_language
from ova.entrypoints.asgi.converter import RequestValidationError, dump, parse
from ova.entrypoints.asgi.json_limits import MAX_JSON_DEPTH, lone_surrogate_at, may_hold_surrogate, too_deep
from ova.entrypoints.websocket.client_frames import (
    AudioMessage,
    AuthMessage,
    Cancel,
    ClientFrame,
    FrameError,
    ImageMessage,
    Ping,
    TextMessage,
    language_refusal,
)

_SIMPLE: dict[str, ClientFrame] = {"ping": Ping(), "pong": Ping(), "cancel": Cancel()}
_TYPED: dict[str, type[TextMessage | AudioMessage | ImageMessage | AuthMessage]] = {
    "text": TextMessage, "message": TextMessage, "audio": AudioMessage, "image": ImageMessage, "auth": AuthMessage,
}


def read_frame(raw: str, *, max_text_bytes: int, max_frame_bytes: int) -> ClientFrame:
    """Turn one text frame into a client frame, or raise ``FrameError``."""
    try:
        size = len(raw.encode())
    except UnicodeEncodeError:  # a surrogate: not sent by a real client, whose frames are UTF-8
        raise FrameError("invalid_frame", _NOT_UNICODE) from None
    if size > max_frame_bytes:
        raise _too_large(max_frame_bytes)
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    except RecursionError:
        data = None
        if raw.lstrip(_JSON_SPACE).startswith("{"):
            raise FrameError("invalid_frame", _TOO_DEEP) from None
    if not isinstance(data, dict):
        return _plain_text(raw, size, max_text_bytes)
    if "\\u" in raw:
        _check_unicode(raw, data)
    kind = data.get("type")
    if kind is None and "message" in data:
        data = {**data, "type": "text", "text": data["message"]}
        kind = "text"
    if not isinstance(kind, str):
        raise FrameError("invalid_frame", "Falta el campo `type` (text, audio, image, ping, cancel o auth).")
    if kind in _SIMPLE:
        _check_depth(raw)
        return _SIMPLE[kind]
    cls = _TYPED.get(kind)
    if cls is None:
        raise FrameError("unknown_type", f"Tipo de mensaje desconocido: {kind[:40]!r}.", type=kind[:40])
    if cls is TextMessage and "text" not in data and isinstance(data.get("message"), str):
        data = {**data, "text": data["message"]}
    frame: ClientFrame | None = _plain_text_frame(data) if cls is TextMessage else None
    if frame is None:
        _check_depth(raw)  # the frames ``_plain_text_frame`` takes are flat: no need to look there
        try:
            frame = parse(cls, data)
        except RequestValidationError as error:
            raise FrameError("invalid_frame", error.detail, errors=[dump(e) for e in error.errors]) from None
    if isinstance(frame, TextMessage | AudioMessage | ImageMessage) and frame.language is not None:
        _check_language(frame.language, auto=isinstance(frame, AudioMessage))
    if isinstance(frame, TextMessage):
        _check_text(frame.text, max_text_bytes)
        return _trimmed(frame)
    if not isinstance(frame, AudioMessage | ImageMessage) and size > max_text_bytes:
        raise _too_large(max_text_bytes)
    return frame


def _check_language(name: str, *, auto: bool = False) -> None:
    """A message's language must be one the assistant speaks; a voice note's may also be ``auto``
    (the speech model's detection)."""
    if auto and name.strip().lower() == "auto":
        return
    try:
        parse_language(name)
    except UnknownLanguage:
        raise language_refusal(name) from None


def _check_depth(raw: str) -> None:
    if too_deep(raw):
        raise FrameError("invalid_frame", _TOO_DEEP)


def _check_unicode(raw: str, data: dict[str, Any]) -> None:
    """Refuse an object frame with a lone surrogate (``\\ud800``) in any string: it cannot be
    stored, nor echoed in an error frame."""
    if may_hold_surrogate(raw):
        where = lone_surrogate_at(data)
        if where is not None:
            raise FrameError("invalid_frame", _NOT_UNICODE,
                             errors=[{"field": where, "message": "contiene caracteres Unicode no válidos"}])


def _plain_text_frame(data: dict[str, Any]) -> TextMessage | None:
    """The common ``{"type": "text", "text": "...", "stream": bool, "language": "..."}`` without the
    converter (which gives the same result at several times the cost); ``None`` for anything else."""
    text, stream, language = data.get("text"), data.get("stream", False), data.get("language")
    if type(text) is str and type(stream) is bool and data.keys() <= _TEXT_KEYS and (
            language is None or type(language) is str):
        return TextMessage(text, stream, language)
    return None


_TEXT_KEYS = frozenset({"type", "text", "stream", "language"})
_JSON_SPACE = " \t\n\r"
_TOO_DEEP = f"El mensaje anida más de {MAX_JSON_DEPTH} niveles de JSON."
_NOT_UNICODE = "El mensaje contiene caracteres Unicode no válidos."
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _plain_text(raw: str, size: int, max_text_bytes: int) -> TextMessage:
    if size > max_text_bytes:
        raise _too_large(max_text_bytes)
    _check_text(raw, max_text_bytes)
    return TextMessage(raw.strip())


def _trimmed(frame: TextMessage) -> TextMessage:
    """The message without leading or trailing whitespace, as user names and contact messages are
    stored: the turn kept (and echoed) is the text that was meant, not the keyboard's padding."""
    text = frame.text.strip()
    return frame if text == frame.text else TextMessage(text, frame.stream, frame.language)


def _check_text(text: str, max_text_bytes: int) -> None:
    if not text.strip():
        raise FrameError("empty_message", "El mensaje está vacío.")
    if len(text.encode()) > max_text_bytes:
        raise _too_large(max_text_bytes)
    if _CONTROL_CHARACTER.search(text):
        raise FrameError("invalid_frame", "El mensaje contiene caracteres de control.")


def _too_large(max_bytes: int) -> FrameError:
    return FrameError("too_large", f"El mensaje supera el máximo de {max_bytes // 1024} KiB.", max_bytes=max_bytes)


def max_frame_bytes(max_text_bytes: int, max_audio_bytes: int) -> int:
    """The largest frame read at all: a voice note in base64 plus room for its JSON."""
    return max(max_text_bytes, (max_audio_bytes + 2) // 3 * 4 + 4096)

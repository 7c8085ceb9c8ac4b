"""The chat's frames (contract section 8): what a client may send, and what the server answers.

A text frame that is not a JSON object is a plain user message, as the documented system accepted,
however deep its brackets. A JSON object nested deeper than ``MAX_JSON_DEPTH``, or holding a lone
surrogate (``\\ud800``, which no UTF-8 text can carry) in a string, is an ``invalid_frame``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import frozen

from ova.domain.errors import DomainError, TooManyAttempts
from ova.domain.language import ACCEPTED, Language, UnknownLanguage, parse_language
from ova.entrypoints.asgi.converter import RequestValidationError, dump, dump_datetime, parse
from ova.entrypoints.asgi.json_limits import MAX_JSON_DEPTH, lone_surrogate_at, may_hold_surrogate, too_deep

Frame = dict[str, Any]


class FrameError(Exception):
    """A frame the server refuses; answered with an ``error`` frame carrying ``code``."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@frozen
class TextMessage:
    """A user message. ``stream`` asks for ``chunk`` frames while the answer is written; ``language``
    (``es``, ``en``) names the conversation's language (the URL's ``?lang=`` wins over it)."""

    text: str
    stream: bool = False
    language: str | None = None

    @property
    def spoken(self) -> Language | None:
        return language_named(self.language)


@frozen
class AudioMessage:
    """A voice note: base64 audio (or a ``data:`` URL) in any format the speech model decodes.
    ``language``: what it is spoken in, ``es``, ``en`` or ``auto`` (else the default language)."""

    audio: str
    format: str | None = None
    stream: bool = False
    language: str | None = None

    @property
    def spoken(self) -> Language | None:
        """The conversation's language the note names (``auto`` names none)."""
        auto = self.language is None or self.language.strip().lower() == "auto"
        return None if auto else language_named(self.language)


@frozen
class ImageMessage:
    """A photo to describe and read ("what does this say?"): base64 (or a ``data:image/...`` URL),
    JPEG, PNG or WEBP by its bytes. ``language`` (``es``, ``en``) is the answer's, as a text message's
    names the conversation's. ``speak``: answer with speech too (``true``), or not (``false``); unset,
    the answer is spoken when the conversation is a voice one (this connection has sent a voice note)."""

    image: str
    language: str | None = None
    speak: bool | None = None

    @property
    def spoken(self) -> Language | None:
        return language_named(self.language)

    @property
    def stream(self) -> bool:
        """No answer to stream: a photo's answer is made whole (the ``Message`` interface)."""
        return False


def language_named(name: str | None) -> Language | None:
    """The language a frame names (already checked by ``read_frame``), or ``None``."""
    return parse_language(name) if name else None


def language_refusal(asked: str) -> FrameError:
    """The error for a ``language`` (or ``?lang=``) the assistant does not speak."""
    error = UnknownLanguage(asked)
    return FrameError("unsupported_language", error.detail, asked=error.asked, accepted=list(ACCEPTED))


@frozen
class AuthMessage:
    token: str


@frozen
class Ping:
    pass


@frozen
class Cancel:
    pass


ClientFrame = TextMessage | AudioMessage | ImageMessage | AuthMessage | Ping | Cancel
Message = TextMessage | AudioMessage | ImageMessage

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
        raise FrameError("too_large", f"El mensaje supera el máximo de {max_frame_bytes // 1024} KiB.",
                         max_bytes=max_frame_bytes)
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
        raise FrameError("too_large", f"El mensaje supera el máximo de {max_text_bytes // 1024} KiB.",
                         max_bytes=max_text_bytes)
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
        raise FrameError("too_large", f"El mensaje supera el máximo de {max_text_bytes // 1024} KiB.",
                         max_bytes=max_text_bytes)
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
        raise FrameError("too_large", f"El mensaje supera el máximo de {max_text_bytes // 1024} KiB.",
                         max_bytes=max_text_bytes)
    if _CONTROL_CHARACTER.search(text):
        raise FrameError("invalid_frame", "El mensaje contiene caracteres de control.")


def decode_audio(message: AudioMessage, *, max_bytes: int) -> bytes:
    """The voice note's bytes (base64, optionally as a ``data:audio/...;base64,`` URL)."""
    payload = message.audio
    if payload.startswith("data:"):
        payload = payload.partition(",")[2]
    if len(payload) > (max_bytes + 2) // 3 * 4 + 4:
        raise FrameError("too_large", f"La nota de voz supera el máximo de {max_bytes // (1024 * 1024)} MB.",
                         max_bytes=max_bytes)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FrameError("invalid_audio", "El audio no está en base64.") from None
    if not data:
        raise FrameError("invalid_audio", "La nota de voz está vacía.")
    if len(data) > max_bytes:
        raise FrameError("too_large", f"La nota de voz supera el máximo de {max_bytes // (1024 * 1024)} MB.",
                         max_bytes=max_bytes)
    return data


def decode_image(message: ImageMessage, *, max_bytes: int) -> bytes:
    """The photo's bytes (base64, optionally as a ``data:image/...;base64,`` URL); whether they are an
    image of an accepted format is the image decoder's to say."""
    payload = message.image
    if payload.startswith("data:"):
        payload = payload.partition(",")[2]
    too_large = FrameError("too_large", f"La foto supera el máximo de {max_bytes // (1024 * 1024)} MB.",
                           max_bytes=max_bytes)
    if len(payload) > (max_bytes + 2) // 3 * 4 + 4:
        raise too_large
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FrameError("invalid_image", "La foto no está en base64.") from None
    if not data:
        raise FrameError("invalid_image", "La foto está vacía.")
    if len(data) > max_bytes:
        raise too_large
    return data


def max_frame_bytes(max_text_bytes: int, max_audio_bytes: int) -> int:
    """The largest frame read at all: a voice note in base64 plus room for its JSON."""
    return max(max_text_bytes, (max_audio_bytes + 2) // 3 * 4 + 4096)


# --- frames from the server --------------------------------------------------------------------

def connected(client_id: str, chat_id: str, features: Sequence[str] = ()) -> Frame:
    """The first frame; ``features`` (the richer frames the client asked for) only when it asked."""
    frame: Frame = {"type": "connected", "client_id": client_id, "chat_id": chat_id, "status": "connected"}
    if features:
        frame["features"] = list(features)
    return frame


def typing(is_typing: bool) -> Frame:
    return {"type": "typing", "is_typing": is_typing}


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
            "audio": "data:audio/wav;base64," + base64.b64encode(wav).decode(), "final": final}


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

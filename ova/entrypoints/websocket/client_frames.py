"""What a chat client may send (contract section 8), as values: the messages a worker answers, the
control frames the session handles itself, and ``FrameError``, the refusal of any of them.

Reading a text frame into one of these is ``frame_reading.py``'s; decoding a voice note's or a
photo's bytes is ``attachments.py``'s.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from ova.domain.language import ACCEPTED, Language, UnknownLanguage, parse_language


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

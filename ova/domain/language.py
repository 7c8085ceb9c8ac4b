"""The languages the assistant speaks, and how a conversation's language is chosen.

``Language`` is the one place the accepted set lives: a new language is a new member here (and its
words in the guesser, its system prompt and its messages)."""

from __future__ import annotations

import enum

from ova.domain.errors import InvalidInput


class Language(enum.StrEnum):
    ES = "es"
    EN = "en"


ACCEPTED = tuple(language.value for language in Language)
"""``("es", "en")``: what ``?lang=``, a frame's ``language`` and ``DEFAULT_LANGUAGE`` accept."""


class UnknownLanguage(InvalidInput):
    """A language asked for by name that the assistant does not speak (HTTP 422 ``validation_error``,
    as any other bad field; the WebSocket names it ``unsupported_language``). Not to be confused with
    ``ova.domain.errors.UnsupportedLanguage``: a language ova speaks that the speech model in use cannot hear."""

    def __init__(self, asked: str, field: str = "lang") -> None:
        shown = asked[:20]
        super().__init__(f"Idioma no admitido: {shown!r}. Valores aceptados: {', '.join(ACCEPTED)}.", field=field)
        self.asked = shown
        self.accepted = ACCEPTED


def parse_language(raw: str, *, field: str = "lang") -> Language:
    """``es``, ``EN``, ``es-MX`` or ``en_GB`` as a ``Language``; anything else is ``UnknownLanguage``."""
    value = raw.strip().lower().replace("_", "-")
    primary = value.split("-", 1)[0]
    try:
        return Language(primary)
    except ValueError:
        raise UnknownLanguage(raw, field=field) from None


def from_accept_language(header: str | None) -> Language | None:
    """The language of an ``Accept-Language`` header the assistant speaks, preferring higher
    ``q``; ``None`` when the header names none of them (``*`` alone names none: it is no choice)."""
    if not header:
        return None
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, number = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        try:
            language = parse_language(tag)
        except UnknownLanguage:
            continue
        if best is None or (quality, -position) > (best[0], best[1]):
            best = (quality, -position, language)
    return best[2] if best else None


def choose_language(*, asked: Language | None, stored: Language | None, preferred: Language | None,
                    guessed: Language | None, default: Language) -> Language:
    """A conversation's language, in this order: what the client asked for by name (``?lang=`` or a
    frame's ``language``), what the chat already speaks (a chat that continues keeps it), the
    ``Accept-Language`` of the connection, the guess from the first message, the default."""
    for choice in (asked, stored, preferred, guessed):
        if choice is not None:
            return choice
    return default

from __future__ import annotations

from attrs import field, frozen

from ova.domain.text import Email, Text


@frozen
class ContactForm:
    """A message from the public form. Text is data, never markup; it is stored trimmed
    (see ``SendContactMessage``)."""

    nombre: str = field(validator=Text(min_length=1, max_length=100))
    email: str = field(validator=Email())
    mensaje: str = field(validator=Text(min_length=10, max_length=5000, multiline=True))
    apellido: str = field(default="", validator=Text(min_length=0, max_length=100))
    asunto: str = field(default="", validator=Text(min_length=0, max_length=200))


@frozen
class MessageFlags:
    """Flags an admin sets on a message; ``None`` leaves a flag as it is."""

    leido: bool | None = None
    respondido: bool | None = None

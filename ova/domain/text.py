"""Rules for free text that users send: lengths and forbidden control characters."""

from __future__ import annotations

import re
from typing import Any

from attrs import frozen

from ova.domain.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def has_forbidden_control(value: str, *, multiline: bool) -> bool:
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    return pattern.search(value) is not None


def normalize_email(value: str) -> str:
    """Emails are unique without regard to case; they are stored trimmed and lower-cased."""
    return value.strip().lower()


def is_valid_email(value: str) -> bool:
    return len(value) <= 254 and _EMAIL.match(value) is not None and ".." not in value.split("@")[0]


@frozen
class Text:
    """An attrs validator for text fields: length bounds and control characters.

    The OpenAPI generator reads ``min_length``, ``max_length`` and ``multiline`` from it, so the
    published schema and the parser never disagree.
    """

    min_length: int = 1
    max_length: int = 255
    multiline: bool = False
    strip: bool = True

    def __call__(self, instance: Any, attribute: Any, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            raise InvalidInput("debe ser texto")
        measured = value.strip() if self.strip else value
        if len(measured) < self.min_length:
            raise InvalidInput(
                "no puede estar vacío" if self.min_length == 1
                else f"debe tener al menos {self.min_length} caracteres"
            )
        if len(value) > self.max_length:
            raise InvalidInput(f"no puede superar {self.max_length} caracteres")
        if has_forbidden_control(value, multiline=self.multiline):
            raise InvalidInput("contiene caracteres de control no permitidos")


@frozen
class Email:
    """An attrs validator for email addresses (``format: email`` in the schema)."""

    max_length: int = 254

    def __call__(self, instance: Any, attribute: Any, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not is_valid_email(value.strip()):
            raise InvalidInput("no es un email válido")


@frozen
class Password:
    """An attrs validator for passwords: 8 to 1024 characters, no control characters."""

    min_length: int = 8
    max_length: int = 1024

    def __call__(self, instance: Any, attribute: Any, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            raise InvalidInput("debe ser texto")
        if not self.min_length <= len(value) <= self.max_length:
            raise InvalidInput(
                f"debe tener entre {self.min_length} y {self.max_length} caracteres"
            )
        if has_forbidden_control(value, multiline=False):
            raise InvalidInput("contiene caracteres de control no permitidos")

"""Rules for free text that users send: lengths and forbidden control characters."""

from __future__ import annotations

import re
from typing import Any

from attrs import frozen

from ova.domain.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Email addresses (see ``is_valid_email``). Written with ``\uXXXX`` escapes and character classes
# only, so that ``ova.entrypoints.http.openapi.patterns`` can publish the very same language.
_ATEXT_ASCII = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-"  # RFC 5322 atext
# Beyond ASCII (RFC 6531 lets a local part hold UTF-8), every character of the Basic Multilingual
# Plane except: C1 controls, spaces and the separators ``str.strip`` removes, invisible format
# characters (soft hyphen, zero-width and bidirectional marks, word joiners, BOM), surrogates,
# private use, variation selectors, noncharacters, and U+0130 (the one character that lower-casing
# lengthens: stored addresses are lower-cased and must still fit 254 characters).
EMAIL_LOCAL_EXCLUDED: frozenset[int] = frozenset(
    [*range(0x80, 0xA1), 0xAD, 0x130, 0x1680, 0x180E, *range(0x2000, 0x2010), *range(0x2028, 0x2030),
     *range(0x205F, 0x2070), 0x3000, *range(0xD800, 0xF900), *range(0xFE00, 0xFE10), 0xFEFF,
     *range(0xFFF0, 0x10000)]
)


def _allowed_ranges(excluded: frozenset[int], low: int, high: int) -> str:
    """The code points from ``low`` to ``high`` less ``excluded``, as character-class ranges."""
    parts: list[str] = []
    start: int | None = None
    for point in range(low, high + 2):
        inside = point <= high and point not in excluded
        if inside and start is None:
            start = point
        elif not inside and start is not None:
            end = point - 1
            parts.append(f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}")
            start = None
    return "".join(parts)


_ATOM = f"[{_allowed_ranges(EMAIL_LOCAL_EXCLUDED, 0x80, 0xFFFF)}{_ATEXT_ASCII}]+"  # "-" last: literal
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = "(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{0,57}[A-Za-z0-9])"
# A dot-atom local part (no leading, trailing or doubled dot) @ DNS labels ending in a top-level
# domain of letters (or its ``xn--`` form). Quoted local parts and address literals are refused.
EMAIL_REGEX = f"{_ATOM}(?:\\.{_ATOM})*@(?:{_LABEL}\\.)+{_TLD}"
EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(EMAIL_REGEX)


def has_forbidden_control(value: str, *, multiline: bool) -> bool:
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    return pattern.search(value) is not None


def normalize_email(value: str) -> str:
    """Emails are unique without regard to case; they are stored trimmed and lower-cased
    (``JOSÉ@`` is ``josé@``, while ``josé@`` and ``jose@`` stay distinct)."""
    return value.strip().lower()


def is_valid_email(value: str) -> bool:
    """``local@domain`` in at most 254 characters (RFC 5321's path limit, less the brackets).

    The local part is a dot-atom whose characters are RFC 5322 ``atext`` or visible non-ASCII
    characters of the Basic Multilingual Plane (``josé@``, ``straße@``, ``用户@``); it neither starts
    nor ends with a dot and holds no ``..``. The domain is ASCII DNS labels (letters, digits, inner
    hyphens, 63 at most each) and at least two of them; the last, the top-level domain, is letters or
    an ``xn--`` label, so ``0.0`` or an IP address is refused. An internationalized domain is written
    in its ``xn--`` (IDNA) form. Nothing is looked up: whether the address receives mail is unknown.
    """
    return len(value) <= EMAIL_MAX_LENGTH and _EMAIL.fullmatch(value) is not None


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

    max_length: int = EMAIL_MAX_LENGTH

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

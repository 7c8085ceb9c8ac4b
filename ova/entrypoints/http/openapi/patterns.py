"""ECMA-262 ``pattern``s that accept exactly what the text validators of ``ova.domain.text`` accept.

Schemathesis draws strings from a schema and expects every one of them to be accepted, so a pattern
must neither be looser nor stricter than the validator it documents. Only ``\\uXXXX`` escapes and
character classes are used: Python ``re``, Rust ``regex`` (``jsonschema_rs``) and ECMA-262 read them
the same way. ``tests/unit/test_openapi_schema.py`` checks the equivalence with hypothesis.
"""

from __future__ import annotations

from collections.abc import Iterable

from ova.domain.text import EMAIL_REGEX, Email, Password, Text

# What ``str.strip()`` removes (``str.isspace``); a test compares it with the running Python.
WHITESPACE: frozenset[int] = frozenset(
    [*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
     0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
)
# ``ova.domain.text._CONTROL_SINGLE_LINE`` and ``_CONTROL`` (multi-line text keeps tab and newline).
_FORBIDDEN_SINGLE = frozenset([*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029])
_FORBIDDEN_MULTI = _FORBIDDEN_SINGLE - {0x09, 0x0A}



def _ranges(points: Iterable[int]) -> str:
    """``{0, 1, 2, 9}`` → ``\\u0000-\\u0002\\u0009``, for use inside a character class."""
    ordered = sorted(set(points))
    parts: list[str] = []
    start = prev = ordered[0]
    for point in [*ordered[1:], -1]:
        if point == prev + 1:
            prev = point
            continue
        parts.append(f"\\u{start:04x}" if start == prev else f"\\u{start:04x}-\\u{prev:04x}")
        start = prev = point
    return "".join(parts)


def text_pattern(rule: Text) -> str:
    """The pattern of a ``Text`` field: no forbidden control character, and with ``strip``, at
    least ``min_length`` characters between the first and the last non-whitespace character."""
    forbidden = _FORBIDDEN_MULTI if rule.multiline else _FORBIDDEN_SINGLE
    allowed = f"[^{_ranges(forbidden)}]"
    if not rule.strip or rule.min_length <= 0:
        return f"^{allowed}*$"
    solid = f"[^{_ranges(forbidden | WHITESPACE)}]"
    blank = f"[{_ranges(WHITESPACE - forbidden)}]*"
    if rule.min_length == 1:
        return f"^{blank}{solid}{allowed}*$"
    middle = f"{allowed}{{{rule.min_length - 2},}}" if rule.min_length > 2 else f"{allowed}*"
    return f"^{blank}{solid}{middle}{solid}{blank}$"


def password_pattern(rule: Password) -> str:
    """Passwords refuse the same control characters as single-line text; lengths are raw."""
    del rule
    return f"^[^{_ranges(_FORBIDDEN_SINGLE)}]*$"


def email_pattern(rule: Email) -> str:
    """``is_valid_email`` after ``strip()``: ``EMAIL_REGEX`` itself, between optional whitespace
    (the regex admits none, so the two never compete).

    The 254-character limit is left to ``maxLength`` (on the raw value: a little stricter than the
    validator only for addresses padded with whitespace past 254 characters).
    """
    del rule
    blank = f"[{_ranges(WHITESPACE)}]*"
    return f"^{blank}(?:{EMAIL_REGEX}){blank}$"

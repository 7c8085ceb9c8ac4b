"""How a variable's text becomes a value: each parser raises ``ValueError`` with the fix, which the
loader shows next to the variable's name."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TypeVar

from ova.config.settings import Environment, Provider
from ova.domain.language import ACCEPTED, Language

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
Number = TypeVar("Number", int, float)


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("use true or false")


def parse_int(low: int, high: int) -> Callable[[str], int]:
    return _in_range(int, low, high, f"use a whole number between {low} and {high}")


def parse_choice(choices: tuple[str, ...], *, upper: bool = False) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().upper() if upper else raw.strip().lower()
        if value not in choices:
            raise ValueError(f"use one of: {', '.join(choices)}")
        return value

    return parse


def parse_float(low: float, high: float) -> Callable[[str], float]:
    return _in_range(float, low, high, f"use a number between {low:g} and {high:g}")


def _in_range(convert: Callable[[str], Number], low: Number, high: Number, fix: str) -> Callable[[str], Number]:
    def parse(raw: str) -> Number:
        try:
            value = convert(raw.strip())
        except ValueError:
            raise ValueError(fix) from None
        if not low <= value <= high:
            raise ValueError(fix)
        return value

    return parse


def parse_text(raw: str) -> str:
    return raw.strip()


def parse_optional_text(raw: str) -> str | None:
    return raw.strip() or None


def parse_secrets(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def parse_origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if not origin.startswith(("http://", "https://")) or " " in origin:
            raise ValueError(f"{origin!r} is not an origin like https://example.org")
    return origins


def parse_proxies(raw: str) -> tuple[str, ...]:
    """Comma-separated IP addresses and networks, normalised (``10.1.2.3/8`` is ``10.0.0.0/8``); ``*``
    trusts every peer."""
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if "*" in items:
        return ("*",)
    proxies: list[str] = []
    for item in items:
        try:
            proxies.append(str(ipaddress.ip_network(item, strict=False)) if "/" in item
                           else str(ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network like 10.0.0.0/8") from None
    return tuple(proxies)


def parse_environment(raw: str) -> Environment:
    return Environment(parse_choice(tuple(e.value for e in Environment))(raw))


def parse_language(raw: str) -> Language:
    return Language(parse_choice(ACCEPTED)(raw))


def parse_provider(raw: str) -> Provider:
    return Provider(parse_choice(tuple(p.value for p in Provider))(raw))

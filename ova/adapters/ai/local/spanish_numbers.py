"""Numbers written in digits, spelled out in Spanish words for a phonemizer that skips digits.

piper-plus-g2p drops what is not a letter, so ``Tengo 25 años`` would be spoken "tengo años".
``spell_numbers`` turns every number into words first: integers (``1.000.000`` and ``1 000`` group
thousands), decimals (``3,5`` or ``3.5``: "tres coma cinco"), and ``%`` ("por ciento").
"""

from __future__ import annotations

import re

_UNITS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce",
          "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno",
          "veintidós", "veintitrés", "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho",
          "veintinueve")
_TENS = ("", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa")
_HUNDREDS = ("", "ciento", "doscientos", "trescientos", "cuatrocientos", "quinientos", "seiscientos", "setecientos",
             "ochocientos", "novecientos")
_LARGEST = 10**15
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:([. ])\d{3})(?:\2\d{3})*|\d+)(?:[.,](\d+))?(?![\w])(\s*%)?")


def spell_numbers(text: str) -> str:
    """``text`` with its numbers in words (numbers of 16 digits or more are read digit by digit)."""
    return _NUMBER.sub(_spoken, text)


def _spoken(match: re.Match[str]) -> str:
    whole, _separator, decimals, percent = match.groups()
    words = _integer(whole.replace(".", "").replace(" ", ""))
    if decimals:
        words += " coma " + _integer(decimals)
    if percent:
        words += " por ciento"
    return words


def _integer(digits: str) -> str:
    value = int(digits)
    if value >= _LARGEST:
        return " ".join(_UNITS[int(d)] for d in digits)
    if digits.startswith("0") and len(digits) > 1:  # "007", decimals like ",05": read the zeros
        zeros = len(digits) - len(digits.lstrip("0"))
        rest = digits.lstrip("0")
        return " ".join(["cero"] * zeros + ([number_words(int(rest))] if rest else []))
    return number_words(value)


def number_words(value: int) -> str:
    """``value`` (0 ≤ value < 10¹⁵) in Spanish words: 21 "veintiuno", 100 "cien", 1001 "mil uno",
    2_000_000 "dos millones"."""
    if not 0 <= value < _LARGEST:
        raise ValueError("number out of range")
    if value < 1000:
        return _below_thousand(value)
    parts: list[str] = []
    billions, rest = divmod(value, 10**12)
    millions, rest = divmod(rest, 10**6)
    if billions:
        parts.append("un billón" if billions == 1 else f"{_thousands(billions, apocope=True)} billones")
    if millions:
        parts.append("un millón" if millions == 1 else f"{_thousands(millions, apocope=True)} millones")
    if rest:
        parts.append(_thousands(rest, apocope=False))
    return " ".join(parts)


def _thousands(value: int, *, apocope: bool) -> str:
    """0 < value < 1_000_000; ``apocope``: before a noun (``veintiún millones``)."""
    high, low = divmod(value, 1000)
    words: list[str] = []
    if high:
        words.append("mil" if high == 1 else f"{_apocope(_below_thousand(high))} mil")
    if low:
        below = _below_thousand(low)
        words.append(_apocope(below) if apocope else below)
    return " ".join(words)


def _apocope(words: str) -> str:
    """"uno" → "un", "veintiuno" → "veintiún" before a noun (``un millón``, ``veintiún mil``)."""
    if words.endswith("veintiuno"):
        return words[: -len("veintiuno")] + "veintiún"
    if words.endswith("uno"):
        return words[:-1]
    return words


def _below_thousand(value: int) -> str:
    if value == 100:
        return "cien"
    hundreds, rest = divmod(value, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if rest or not hundreds:
        words.append(_below_hundred(rest))
    return " ".join(words)


def _below_hundred(value: int) -> str:
    if value < 30:
        return _UNITS[value]
    tens, units = divmod(value, 10)
    return _TENS[tens] if not units else f"{_TENS[tens]} y {_UNITS[units]}"

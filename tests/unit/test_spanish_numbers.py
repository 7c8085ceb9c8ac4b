"""Numbers spelled out in Spanish before Kokoro's phonemizer, which drops digits."""

from __future__ import annotations

import pytest

from ova.adapters.ai.local.spanish_numbers import number_words, spell_numbers


@pytest.mark.parametrize(("value", "words"), [
    (0, "cero"), (1, "uno"), (16, "dieciséis"), (21, "veintiuno"), (22, "veintidós"), (30, "treinta"),
    (45, "cuarenta y cinco"), (100, "cien"), (101, "ciento uno"), (500, "quinientos"),
    (999, "novecientos noventa y nueve"),
    (1000, "mil"), (1001, "mil uno"), (2024, "dos mil veinticuatro"), (21000, "veintiún mil"), (100000, "cien mil"),
    (1_000_000, "un millón"), (2_500_000, "dos millones quinientos mil"), (21_000_000, "veintiún millones"),
    (1_000_000_000, "mil millones"), (3_000_000_000_000, "tres billones"),
])
def test_whole_numbers_in_words(value: int, words: str) -> None:
    assert number_words(value) == words


def test_numbers_in_text_become_words_with_thousands_decimals_and_percent() -> None:
    assert spell_numbers("Tengo 25 años y vivo en el 3.") == "Tengo veinticinco años y vivo en el tres."
    assert spell_numbers("Cuesta 1.500 euros, un 21% más") == "Cuesta mil quinientos euros, un veintiuno por ciento más"
    assert spell_numbers("3,5 kilos y 0,05 litros") == "tres coma cinco kilos y cero coma cero cinco litros"


def test_digits_inside_words_and_very_long_numbers() -> None:
    assert spell_numbers("mp3") == "mp3"
    digits = ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "cero"]
    assert spell_numbers("1234567890123456") == " ".join([*digits, *digits[:6]])


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        number_words(-1)

"""Cutting text into the pieces a voice speaks one at a time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ova.domain.sentences import split_sentences


def test_sentences_end_at_stops_questions_exclamations_and_line_breaks() -> None:
    text = "Hola, ¿cómo estás? Yo bien. ¡Qué alegría!\nOtra línea sin punto"
    assert split_sentences(text) == ["Hola, ¿cómo estás?", "Yo bien.", "¡Qué alegría!", "Otra línea sin punto"]


def test_a_dot_inside_a_number_an_address_or_after_an_abbreviation_ends_nothing() -> None:
    text = "El Sr. García pesa 72.5 kilos, p. ej. en www.ejemplo.es dice más. Fin."
    assert split_sentences(text) == ["El Sr. García pesa 72.5 kilos, p. ej. en www.ejemplo.es dice más.", "Fin."]


def test_ellipses_and_closing_quotes_stay_with_their_sentence() -> None:
    assert split_sentences('Dijo "hola." Luego… se fue.') == ['Dijo "hola."', "Luego…", "se fue."]


def test_a_long_sentence_is_cut_after_a_clause_that_fits() -> None:
    text = "Madrid es la capital de España, y también su ciudad más poblada, con más de tres millones de habitantes."
    assert split_sentences(text, max_chars=70) == [
        "Madrid es la capital de España, y también su ciudad más poblada,",
        "con más de tres millones de habitantes.",
    ]


def test_without_a_clause_it_is_cut_between_words_and_a_single_huge_word_at_the_limit() -> None:
    assert split_sentences("uno dos tres cuatro cinco", max_chars=9) == ["uno dos", "tres", "cuatro", "cinco"]
    assert split_sentences("a" * 25, max_chars=10) == ["a" * 10, "a" * 10, "a" * 5]


def test_the_first_piece_may_be_held_shorter_so_the_first_audio_comes_sooner() -> None:
    text = "Madrid es la capital de España, y también su ciudad más poblada. Está en el centro."
    assert split_sentences(text, first_max_chars=35) == [
        "Madrid es la capital de España,", "y también su ciudad más poblada.", "Está en el centro.",
    ]


def test_after_a_short_first_piece_each_piece_may_be_twice_as_long_as_the_one_before() -> None:
    text = ("Madrid es la capital de España y su ciudad más poblada, con más de tres millones de habitantes "
            "que viven en sus veintiún distritos.")
    pieces = split_sentences(text, first_max_chars=20)
    assert pieces == ["Madrid es la capital", "de España y su ciudad más poblada,",
                      "con más de tres millones de habitantes que viven en sus veintiún distritos."]
    assert [len(piece) <= 20 * 2**index for index, piece in enumerate(pieces)] == [True] * 3


def test_a_cut_between_words_does_not_leave_a_linking_word_at_the_end_of_a_piece() -> None:
    text = "Madrid es la capital de España y su ciudad más poblada."
    assert split_sentences(text, first_max_chars=40) == ["Madrid es la capital de España", "y su ciudad más poblada."]
    assert split_sentences("de de de de de de", max_chars=9) == ["de de de", "de de de"]  # when it cannot help it


@pytest.mark.parametrize("blank", ["", "   ", "\n\n"])
def test_blank_text_has_no_pieces(blank: str) -> None:
    assert split_sentences(blank) == []


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        split_sentences("hola", max_chars=0)


@given(st.text(alphabet=st.sampled_from(list("ab ñ,.?!¿¡…\n5")), max_size=400),
       st.integers(min_value=1, max_value=60), st.one_of(st.none(), st.integers(min_value=1, max_value=30)))
def test_every_word_is_kept_in_order_and_no_piece_is_too_long(text: str, limit: int, first: int | None) -> None:
    pieces = split_sentences(text, max_chars=limit, first_max_chars=first)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    assert all(piece and piece == piece.strip() for piece in pieces)
    assert all(len(piece) <= (limit if first is None else min(limit, first * 2**index))
               for index, piece in enumerate(pieces))

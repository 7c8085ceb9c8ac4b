"""How a streamed answer ends: untouched when the model stops by itself, on a whole word and ``…``
when the token limit cuts it."""

from __future__ import annotations

from collections.abc import Sequence

from ova.adapters.ai.local.answer_end import CUT_MARK, HOLD_TOKENS, AnswerEnd


def run(pieces: Sequence[str], *, max_tokens: int, cut: bool) -> tuple[list[str], str]:
    """What is sent piece by piece, and the whole answer."""
    end = AnswerEnd(max_tokens)
    sent = [end.feed(piece) for piece in pieces]
    sent.append(end.cut() if cut else end.finished())
    return sent, "".join(sent)


def test_an_answer_that_ends_by_itself_is_passed_on_whole() -> None:
    pieces = ["La", " capital", " de", " España", " es", " Madrid", "."]
    _, text = run(pieces, max_tokens=8, cut=False)
    assert text == "La capital de España es Madrid."


def test_far_from_the_limit_every_piece_is_passed_on_at_once() -> None:
    pieces = ["La", " capital", " de", " Esp", "aña"]
    sent, _ = run(pieces, max_tokens=len(pieces) + HOLD_TOKENS, cut=False)
    assert sent[:len(pieces)] == pieces


def test_a_word_cut_by_the_limit_is_dropped_and_the_answer_ends_with_the_mark() -> None:
    pieces = ["Pon", " tomate", " y", " ceb"]
    _, text = run(pieces, max_tokens=len(pieces), cut=True)
    assert text == "Pon tomate y" + CUT_MARK


def test_a_word_split_in_tokens_is_held_back_until_it_is_whole() -> None:
    end = AnswerEnd(max_tokens=4)
    assert end.feed("Hola") == ""
    assert end.feed(" Bar") == "Hola"
    assert end.feed("cel") == ""
    assert end.feed("ona ") == " Barcelona"


def test_a_limit_that_falls_on_a_sentence_end_needs_no_mark() -> None:
    _, text = run(["Es", " Madrid", "."], max_tokens=3, cut=True)
    assert text == "Es Madrid."
    _, text = run(["Es", " Madrid", ".", " "], max_tokens=4, cut=True)
    assert text.rstrip() == "Es Madrid."


def test_an_answer_of_one_unfinished_word_keeps_it() -> None:
    _, text = run(["Supercal", "ifrag"], max_tokens=2, cut=True)
    assert text == "Supercalifrag" + CUT_MARK

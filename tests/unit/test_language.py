"""Languages: the accepted set, reading them from a parameter or ``Accept-Language``, the order a
conversation's language is chosen in, and the guess from a first message (measured on a labelled set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ova.domain.errors import InvalidInput
from ova.domain.language import (
    ACCEPTED,
    Language,
    UnknownLanguage,
    choose_language,
    from_accept_language,
    parse_language,
)
from ova.domain.language_guess import guess_language

SAMPLES = Path(__file__).parent.parent / "data" / "language_samples.tsv"


def labelled_samples() -> list[tuple[Language, str]]:
    rows = []
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, message = line.split("\t", 1)
            rows.append((Language(label), message))
    return rows


def test_the_accepted_languages_are_spanish_and_english() -> None:
    assert ACCEPTED == ("es", "en")


@pytest.mark.parametrize(("raw", "expected"), [("es", Language.ES), (" EN ", Language.EN), ("es-MX", Language.ES),
                                               ("en_GB", Language.EN)])
def test_a_language_is_read_from_its_code_with_or_without_a_region(raw: str, expected: Language) -> None:
    assert parse_language(raw) is expected


@pytest.mark.parametrize("raw", ["fr", "", "e", "español", "xx-es"])
def test_an_unknown_language_is_refused_with_the_accepted_values(raw: str) -> None:
    with pytest.raises(UnknownLanguage) as caught:
        parse_language(raw)
    assert isinstance(caught.value, InvalidInput) and caught.value.field == "lang"
    assert "es, en" in caught.value.detail
    assert caught.value.accepted == ACCEPTED


@pytest.mark.parametrize(("header", "expected"), [
    ("en-US,en;q=0.9", Language.EN),
    ("es-ES,es;q=0.9,en;q=0.8", Language.ES),
    ("fr-FR,fr;q=0.9,en;q=0.5,es;q=0.4", Language.EN),
    ("en;q=0.3, es;q=0.7", Language.ES),
    ("de, en;q=0", None),
    ("*", None),
    ("", None),
    (None, None),
    ("es;q=abc, en", Language.EN),
])
def test_accept_language_gives_the_most_preferred_language_spoken(header: str | None,
                                                                   expected: Language | None) -> None:
    assert from_accept_language(header) is expected


def test_a_language_is_chosen_by_name_then_by_the_chat_then_the_header_then_the_guess_then_the_default() -> None:
    es, en = Language.ES, Language.EN
    assert choose_language(asked=en, stored=es, preferred=es, guessed=es, default=es) is en
    assert choose_language(asked=None, stored=en, preferred=es, guessed=es, default=es) is en
    assert choose_language(asked=None, stored=None, preferred=en, guessed=es, default=es) is en
    assert choose_language(asked=None, stored=None, preferred=None, guessed=en, default=es) is en
    assert choose_language(asked=None, stored=None, preferred=None, guessed=None, default=en) is en


@pytest.mark.parametrize("text", ["ok", "42", "", "Madrid", "pizza!", "?"])
def test_a_message_with_no_sign_of_either_language_is_no_guess(text: str) -> None:
    assert guess_language(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("¿Qué?", Language.ES), ("¡Hola!", Language.ES), ("mañana", Language.ES),
    ("don't", Language.EN), ("the weather", Language.EN),
])
def test_spanish_marks_and_letters_and_english_contractions_give_a_language_away(text: str,
                                                                                 expected: Language) -> None:
    assert guess_language(text) is expected


def test_the_guess_is_right_on_the_labelled_messages() -> None:
    """The guess, falling back to Spanish when unsure, on the labelled set (printed with -s)."""
    samples = labelled_samples()
    assert len(samples) >= 40
    assert {label for label, _ in samples} == set(Language)
    guesses = [(label, guess_language(message)) for label, message in samples]
    right = sum(label is (guess or Language.ES) for label, guess in guesses)
    wrong = [message for (label, guess), (_, message) in zip(guesses, samples, strict=True)
             if guess not in (None, label)]
    unsure = sum(guess is None for _, guess in guesses)
    print(f"language guess: {right}/{len(samples)} right ({right / len(samples):.1%}), {unsure} unsure, wrong: {wrong}")
    assert wrong == []  # a guess may abstain, but never names the other language on this set
    assert right / len(samples) >= 0.95

"""What a description says about the text in a photo: it ends with what is written, in the
description's language, naturally, and says nothing when nothing was read."""

from __future__ import annotations

import pytest

from ova.domain.descriptions import NOTHING, SAID_CHARS, describe_scene, quoted_part, with_written_text
from ova.domain.vision import Box, DetectedObject

WIDTH, HEIGHT = 900, 600


def obj(label: str, x: int, width: int = 100) -> DetectedObject:
    return DetectedObject(label=label, confidence=0.9, box=Box(x=x, y=50, width=width, height=100))


def test_spanish_sentence_ends_with_what_is_written() -> None:
    scene = describe_scene([obj("bus", 350)], WIDTH, HEIGHT, "es")
    sentence = with_written_text(scene, "Prohibido el paso", "es")
    assert sentence == "Veo un autobús en el centro. Hay un texto que dice: «Prohibido el paso»."


def test_english_sentence_ends_with_what_is_written() -> None:
    scene = describe_scene([obj("bus", 350)], WIDTH, HEIGHT, "en")
    assert with_written_text(scene, "No entry", "en") == (
        "I can see a bus in the centre. There is text that says: “No entry”.")


@pytest.mark.parametrize(("labels", "lang", "expected"), [
    (["person", "person", "car"], "es",
     "Veo dos personas y un coche; las dos personas están en el centro. Hay un texto que dice: «Salida»."),
    (["car", "car", "bottle"], "es",
     "Veo dos coches y una botella; los dos coches están en el centro. Hay un texto que dice: «Salida»."),
    (["person", "person", "car"], "en",
     "I can see two people and a car; the two people are in the centre. There is text that says: “Salida”."),
])
def test_a_description_with_two_clauses_gets_the_text_in_a_sentence_of_its_own(
        labels: list[str], lang: str, expected: str) -> None:
    scene = describe_scene([obj(label, 320 + 10 * i) for i, label in enumerate(labels)], WIDTH, HEIGHT, lang)
    assert with_written_text(scene, "Salida", lang) == expected


def test_objects_together_get_the_short_clause() -> None:
    scene = describe_scene([obj("person", 320), obj("person", 330)], WIDTH, HEIGHT, "es")
    assert with_written_text(scene, "Salida", "es") == "Veo dos personas en el centro. Hay un texto que dice: «Salida»."


def test_feminine_and_plural_objects_keep_their_agreement_before_the_text() -> None:
    scene = describe_scene([obj("bottle", 20), obj("bottle", 700)], WIDTH, HEIGHT, "es")
    sentence = with_written_text(scene, "Ibuprofeno 600 mg", "es")
    assert sentence == ("Veo dos botellas; la botella más destacada está a la izquierda. "
                        "Hay un texto que dice: «Ibuprofeno 600 mg».")


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "Se ve un texto que dice: «Prohibido el paso»."),
    ("en", "I can see some text that says: “Prohibido el paso”."),
])
def test_without_objects_the_text_is_the_description(lang: str, expected: str) -> None:
    assert with_written_text(NOTHING[lang], "Prohibido el paso", lang) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_nothing_is_added_when_nothing_was_read(text: str) -> None:
    scene = describe_scene([obj("bus", 350)], WIDTH, HEIGHT, "es")
    assert with_written_text(scene, text, "es") == scene
    assert with_written_text(NOTHING["es"], text, "es") == NOTHING["es"]


def test_lines_are_read_as_one_phrase() -> None:
    sentence = with_written_text(NOTHING["es"], "PROHIBIDO\nEL   PASO", "es")
    assert sentence == "Se ve un texto que dice: «PROHIBIDO EL PASO»."


def test_long_text_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = " ".join(["palabra"] * 60)
    said = quoted_part(text)
    assert len(said) <= SAID_CHARS
    assert said.endswith("palabra…")
    assert with_written_text(NOTHING["es"], text, "es") == f"Se ve un texto que dice: «{said}»."


def test_a_captioner_that_already_quotes_the_text_is_left_alone() -> None:
    description = "A red sign that says No Entry on a door."
    assert with_written_text(description, "NO ENTRY", "en") == description


@pytest.mark.parametrize(("description", "text", "expected"), [
    ("I can see a stop sign in the centre.", "STOP",
     "I can see a stop sign in the centre. There is text that says: “STOP”."),
    ("I can see a person in the centre.", "A", "I can see a person in the centre. There is text that says: “A”."),
    ("A door; the sign says no-entry.", "NO ENTRY", "A door; the sign says no-entry."),
    ("A sign: entry is not allowed.", "NO ENTRY", "A sign: entry is not allowed. There is text that says: “NO ENTRY”."),
])
def test_only_a_quote_of_two_words_or_more_counts_as_already_said(description: str, text: str, expected: str) -> None:
    assert with_written_text(description, text, "en") == expected


def test_a_remote_sentence_without_a_full_stop_ends_properly() -> None:
    assert with_written_text("a bus on a street", "Centro", "en") == (
        "a bus on a street. There is text that says: “Centro”.")

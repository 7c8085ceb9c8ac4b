"""The chat quality bench's scoring: accepted answers, the language detector, loops, and what reads
well aloud; and its question set."""

from __future__ import annotations

import json
from collections import Counter

from bench.quality_chat import QUESTIONS, is_right, language_of, readable_aloud, repeats


def test_an_accepted_form_counts_whatever_its_case_and_accents() -> None:
    assert is_right("El planeta más grande es JÚPITER.", ["jupiter"])
    assert is_right("Se dice «buenos días».", ["buenos dias", "buen dia"])
    assert is_right("Una araña tiene 8 patas.", ["8", "ocho"])


def test_a_form_must_appear_as_whole_words() -> None:
    assert not is_right("Tiene 18 patas.", ["8"])
    assert not is_right("The symbol is Ag; gold is not augmented.", ["au"])


def test_the_language_of_an_answer_is_told_by_its_common_words() -> None:
    assert language_of("La capital de Francia es París, una ciudad muy bonita.") == "es"
    assert language_of("The capital of France is Paris, a city on the Seine.") == "en"
    assert language_of('William Shakespeare wrote "Romeo and Juliet".') == "en"
    assert language_of("Madrid.") == "?"
    assert language_of("La capitale de la France est Paris, une ville avec des musées.") == "other"


def test_a_loop_is_a_phrase_repeated_over_and_over() -> None:
    assert repeats("El Turco, el Turco, el Turco, el Turco, el Turco, el Turco") >= 3
    assert repeats("La capital de España es Madrid, una ciudad grande y antigua.") == 1


def test_markdown_and_emoji_do_not_read_well_aloud() -> None:
    assert readable_aloud("Mezcla los huevos con las patatas y cuaja la tortilla a fuego lento.")
    assert not readable_aloud("**Ingredientes**: huevos")
    assert not readable_aloud("Pasos:\n1. Pela las patatas\n2. Fríelas")
    assert not readable_aloud("- huevos\n- patatas")
    assert not readable_aloud("| a | b |\n|---|---|")
    assert not readable_aloud("¡Claro! 😊")


def test_the_question_set_has_twenty_questions_in_each_language_each_with_answers() -> None:
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    assert Counter(item["lang"] for item in questions) == {"es": 20, "en": 20}
    assert len({item["id"] for item in questions}) == len(questions)
    assert all(item["question"].strip() and item["accept"] for item in questions)

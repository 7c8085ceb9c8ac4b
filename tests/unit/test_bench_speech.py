"""The speech bench's scoring: words as compared, and the corpus word error rate."""

from __future__ import annotations

import pytest

from bench.quality_speech import auto_accuracy, wer, words
from bench.word_error import edit_distance


def test_words_ignore_case_and_punctuation_and_optionally_accents() -> None:
    assert words("¿Dónde está la farmacia?") == ["dónde", "está", "la", "farmacia"]
    assert words("¿Dónde está?", accents=False) == ["donde", "esta"]
    assert words("I'd like today's news.") == ["i'd", "like", "today's", "news"]


def test_edit_distance_counts_substitutions_insertions_and_deletions() -> None:
    assert edit_distance(["a", "b", "c"], ["a", "x", "c"]) == 1
    assert edit_distance(["a", "b"], ["a", "b", "c", "d"]) == 2
    assert edit_distance(["a", "b", "c"], []) == 3


def test_the_word_error_rate_is_over_all_the_reference_words() -> None:
    references = ["La capital de España es Madrid.", "Hola."]
    hypotheses = ["la capital de españa es mámin", "Hola"]
    assert wer(references, hypotheses) == pytest.approx(1 / 7)
    assert wer(["Está aquí."], ["esta aqui"], accents=False) == 0.0


def test_auto_accuracy_follows_the_detection_only_above_the_threshold() -> None:
    report = {"models": {"m": {"sets": {
        "kokoro/es": {"detected": [{"es": 0.9, "en": 0.01}, {"es": 0.12, "en": 0.05}]},
        "kokoro/en": {"detected": [{"es": 0.0, "en": 0.35}]},
    }}}}
    rows = {line.split(" (")[0].strip("| "): line for line in auto_accuracy(report).splitlines()[2:]}
    assert rows["0.1"].endswith("| 3/3 | 3/3 |")
    assert rows["0.2"].endswith("| 3/3 | 2/3 |")  # the unsure Spanish clip goes to the default
    assert rows["0.4"].endswith("| 2/3 | 2/3 |")

"""Tesseract's TSV as lines: unsure words dropped (surer ones needed in a short found region), boxes
scaled back and kept inside, reading order."""

from __future__ import annotations

import numpy as np
import pytest

from ova.adapters.ai.local.ocr import words_by_region
from ova.adapters.ai.local.ocr_lines import Word, merge, parse_tsv, reading_order, to_lines
from ova.adapters.ai.local.text_regions import Region, Sheet
from ova.domain.text_reading import TextLine
from ova.domain.vision import Box

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def row(level: int, line: tuple[int, int, int], box: tuple[int, int, int, int], conf: float, text: str) -> str:
    return "\t".join(map(str, (level, 1, *line, 1, *box, conf, text)))


TSV = "\n".join([
    HEADER,
    row(4, (1, 1, 1), (10, 10, 300, 40), -1, ""),
    row(5, (1, 1, 1), (10, 10, 120, 40), 96.5, "Prohibido"),
    row(5, (1, 1, 1), (140, 12, 40, 38), 91.0, "el"),
    row(5, (1, 1, 1), (190, 10, 120, 40), 20.0, "pasq"),
    row(5, (1, 1, 2), (10, 80, 60, 40), 95.0, "  "),
    row(5, (1, 1, 2), (10, 80, 20, 40), 88.0, "|"),
    row(5, (2, 1, 1), (400, 500, 200, 60), 80.0, "Salida"),
    "not a row",
])


def test_words_are_parsed_with_their_line_box_and_confidence() -> None:
    words = parse_tsv(TSV)
    assert [word.text for word in words] == ["Prohibido", "el", "pasq", "|", "Salida"]
    assert words[0].line == (1, 1, 1) and words[0].confidence == 96.5
    assert (words[4].left, words[4].top, words[4].width, words[4].height) == (400, 500, 200, 60)


def test_unsure_words_and_lines_without_letters_are_dropped() -> None:
    lines = to_lines(parse_tsv(TSV), min_confidence=0.6, scale=1.0, width=1000, height=1000)
    assert [line.text for line in lines] == ["Prohibido el", "Salida"]
    assert lines[0].confidence == round((96.5 + 91.0) / 200, 4)
    assert lines[0].box == Box(10, 10, 170, 40)


def test_boxes_are_scaled_back_to_the_photo_and_kept_inside_it() -> None:
    lines = to_lines(parse_tsv(TSV), min_confidence=0.0, scale=2.0, width=250, height=270)
    salida = next(line for line in lines if line.text == "Salida")
    assert salida.box == Box(200, 250, 50, 20)
    assert all(line.box.x + line.box.width <= 250 and line.box.y + line.box.height <= 270 for line in lines)


def test_lines_read_top_to_bottom_and_side_by_side_left_to_right() -> None:
    right = TextLine("SALIDA", 0.9, Box(500, 102, 100, 30))
    left = TextLine("ENTRADA", 0.9, Box(20, 100, 120, 30))
    below = TextLine("abajo", 0.9, Box(0, 300, 50, 20))
    above = TextLine("arriba", 0.9, Box(300, 10, 50, 20))
    ordered = reading_order([below, right, left, above])
    assert [line.text for line in ordered] == ["arriba", "ENTRADA", "SALIDA", "abajo"]


def test_pieces_of_one_tilted_line_become_that_line_before_the_next() -> None:
    """A label turned a few degrees: the right-hand pieces sit higher than the left-hand ones, and the
    second line's start is higher than the first line's end."""
    aceite = TextLine("Aceite", 0.9, Box(90, 130, 120, 40))
    de_oliva = TextLine("de oliva", 0.8, Box(215, 118, 150, 40))
    virgen = TextLine("virgen extra", 0.9, Box(95, 178, 180, 30))
    ml = TextLine("750 ml", 0.9, Box(285, 166, 90, 30))

    ordered = reading_order([ml, de_oliva, virgen, aceite])

    assert [line.text for line in ordered] == ["Aceite de oliva", "virgen extra 750 ml"]
    assert ordered[0].box == Box(90, 118, 275, 52)
    assert ordered[0].confidence == pytest.approx((0.9 * 6 + 0.8 * 8) / 14)


def test_a_sign_the_page_reading_missed_is_added_in_its_place() -> None:
    page = [TextLine("Horario de invierno", 0.93, Box(10, 10, 400, 40))]
    sign = TextLine("PROHIBIDO EL PASO", 0.9, Box(50, 300, 300, 50))
    assert [line.text for line in merge(page, [sign])] == ["Horario de invierno", "PROHIBIDO EL PASO"]


def test_the_same_line_read_twice_keeps_the_reading_with_more_letters() -> None:
    page = [TextLine("Consérvese por debajo de 25 ºC", 0.9, Box(30, 135, 1140, 43))]
    cut = TextLine("onsérvese por debajo de 25", 0.95, Box(43, 135, 1133, 43))
    assert merge(page, [cut]) == page
    garbled = [TextLine("Ibu 400", 0.7, Box(300, 600, 380, 70))]
    whole = TextLine("Ibuprofeno 400 mg", 0.92, Box(315, 610, 370, 72))
    assert merge(garbled, [whole]) == [whole]


def found(size: tuple[float, float]) -> Region:
    return Region(centre=(100.0, 100.0), size=size, angle=0.0, box=Box(0, 0, 200, 200))


def word_on(line: int, text: str, confidence: float, sheet: Sheet) -> Word:
    return Word((1, 1, line), text, confidence, 10, sheet.top(line) + 5, 30, sheet.line_height - 10)


def test_a_short_region_keeps_only_words_read_with_high_confidence() -> None:
    sheet = Sheet(np.zeros((1, 1), np.uint8), line_height=40, gap=20)
    regions = [found((300, 40)), found((65, 50)), found((50, 65)), found((90, 50))]
    words = [word_on(0, "Salida", 70, sheet), word_on(1, "ey", 85, sheet), word_on(2, "27", 96, sheet),
             word_on(3, "cero", 75, sheet)]
    kept = words_by_region(words, sheet, regions, min_confidence=0.6)
    assert {index: [w.text for w in ws] for index, ws in kept.items()} == {0: ["Salida"], 2: ["27"], 3: ["cero"]}


def test_a_region_is_as_long_as_its_longer_side_over_its_shorter() -> None:
    assert found((300, 40)).elongation() == 7.5
    assert found((40, 300)).elongation() == 7.5

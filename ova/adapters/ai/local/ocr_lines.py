"""Tesseract's TSV output as the domain's lines: words grouped by line, unsure words dropped, boxes in
pixels of the uploaded image, lines in reading order."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from ova.domain.text_reading import TextLine
from ova.domain.vision import Box

WORD_LEVEL = "5"
"""TSV rows of level 5 are words; the others (page, block, paragraph, line) carry no text."""


@frozen
class Word:
    """One word as Tesseract read it: the line it belongs to (block, paragraph and line numbers),
    its confidence (0 to 100) and its box in pixels of the picture Tesseract saw."""

    line: tuple[int, int, int]
    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int


def parse_tsv(tsv: str) -> list[Word]:
    """The words of Tesseract's ``tsv`` output, in its order; blank words and malformed rows are skipped."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != WORD_LEVEL:
            continue
        text = " ".join(cells[11].split())
        try:
            block, paragraph, line = int(cells[2]), int(cells[3]), int(cells[4])
            left, top, width, height = (int(cell) for cell in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        if text:
            words.append(Word((block, paragraph, line), text, confidence, left, top, width, height))
    return words


def has_letter_or_digit(text: str) -> bool:
    return any(character.isalnum() for character in text)


def to_lines(words: Iterable[Word], *, min_confidence: float, scale: float, width: int, height: int) -> list[TextLine]:
    """Words at or above ``min_confidence`` (0 to 1) grouped into Tesseract's lines. A line's text is
    its words joined by spaces, its confidence their mean, its box their union divided by ``scale``
    (the factor the picture was enlarged by) and kept inside ``width × height``. A line left with no
    letter or digit (a stray ``|`` or ``—`` from an edge in a photo) is dropped. Reading order."""
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        if word.confidence / 100 >= min_confidence:
            grouped.setdefault(word.line, []).append(word)
    lines = []
    for members in grouped.values():
        text = " ".join(word.text for word in members)
        if not has_letter_or_digit(text):
            continue
        box = _union(members, scale, width, height)
        if box is None:
            continue
        confidence = round(min(1.0, sum(word.confidence for word in members) / len(members) / 100), 4)
        lines.append(TextLine(text=text, confidence=confidence, box=box))
    return reading_order(lines)


def _union(words: list[Word], scale: float, width: int, height: int) -> Box | None:
    left = max(0, int(min(word.left for word in words) / scale))
    top = max(0, int(min(word.top for word in words) / scale))
    right = min(width, round(max(word.left + word.width for word in words) / scale))
    bottom = min(height, round(max(word.top + word.height for word in words) / scale))
    if right <= left or bottom <= top:
        return None
    return Box(x=left, y=top, width=right - left, height=bottom - top)


NEAR = 1.5
"""Two pieces of text continue one line when the gap between them is under this many line heights…"""
SHARED = 0.3
"""…and they share this much of the smaller one's height (a tilted line climbs from piece to piece)."""


def reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Top to bottom, then left to right. Pieces of one line first become that line: the detector
    finds "Aceite" and "de oliva" apart on a tilted label, and a reader should hear "Aceite de oliva",
    not two lines in the order of their tilt. A piece continues the line to its left when they overlap
    by ``SHARED`` of the smaller height and the gap is under ``NEAR`` line heights; farther apart (two signs
    side by side) they stay two lines, read left to right."""
    chains: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda line: (line.box.x, line.box.y)):
        chain = next((c for c in chains if _continues(c[-1].box, line.box)), None)
        if chain is None:
            chains.append([line])
        else:
            chain.append(line)
    joined = [_joined(chain) for chain in chains]
    rows: list[list[TextLine]] = []
    for line in sorted(joined, key=lambda line: (line.box.y + line.box.height / 2, line.box.x)):
        middle = line.box.y + line.box.height / 2
        if rows:
            last = rows[-1][0].box
            if last.y <= middle <= last.y + last.height:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda line: line.box.x)]


def _continues(left: Box, right: Box) -> bool:
    height = min(left.height, right.height)
    shared = min(left.y + left.height, right.y + right.height) - max(left.y, right.y)
    gap = right.x - (left.x + left.width)
    return shared >= SHARED * height and -height <= gap <= NEAR * max(left.height, right.height)


def _joined(chain: list[TextLine]) -> TextLine:
    if len(chain) == 1:
        return chain[0]
    x0, y0 = min(line.box.x for line in chain), min(line.box.y for line in chain)
    x1 = max(line.box.x + line.box.width for line in chain)
    y1 = max(line.box.y + line.box.height for line in chain)
    weights = [max(1, len(line.text)) for line in chain]
    confidence = sum(line.confidence * w for line, w in zip(chain, weights, strict=True)) / sum(weights)
    return TextLine(" ".join(line.text for line in chain), confidence, Box(x0, y0, x1 - x0, y1 - y0))


OVERLAP = 0.5
"""Two lines are the same text when their boxes share this much of the smaller box's area."""


def merge(page: list[TextLine], found: list[TextLine]) -> list[TextLine]:
    """The lines of the whole-page reading and of the found regions, each text once, in reading order.

    A found line over page lines is the same text read twice: the reading with more letters and digits
    (each already past the minimum confidence) wins, the more confident on a tie. The page reading
    keeps the documents' first letters, which the detector's lines sometimes cut; the found lines add
    the signs that the page reading misses in busy photos."""
    kept = list(page)
    for line in found:
        same = [other for other in kept if _overlap(line.box, other.box) >= OVERLAP]
        if not same:
            kept.append(line)
            continue
        theirs = (sum(_characters(other.text) for other in same), max(other.confidence for other in same))
        if (_characters(line.text), line.confidence) > theirs:
            kept = [other for other in kept if other not in same] + [line]
    return reading_order(kept)


def _characters(text: str) -> int:
    return sum(character.isalnum() for character in text)


def _overlap(a: Box, b: Box) -> float:
    width = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
    height = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / min(a.width * a.height, b.width * b.height)

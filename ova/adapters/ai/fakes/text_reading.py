"""A text reader that needs no model: the lines it was given, or none in a photo of one colour."""

from __future__ import annotations

from collections.abc import Sequence

from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import Box, RgbImage


class FakeTextReader:
    """Reads ``lines`` (by default one line, "PROHIBIDO EL PASO" in Spanish or "NO ENTRY" in English,
    confidence 0.9, over the middle of the photo) from any photo that is not all one colour; a photo
    of one colour has no text. Boxes are kept inside the image."""

    def __init__(self, lines: Sequence[TextLine] | None = None) -> None:
        self._lines = tuple(lines) if lines is not None else None
        self.calls: list[str] = []

    @property
    def model(self) -> str:
        return "fake-ocr"

    async def read(self, image: RgbImage, *, lang: str) -> ReadText:
        self.calls.append(lang)
        pixels = image.pixels
        if not pixels or pixels == pixels[:3] * (len(pixels) // 3):
            return ReadText()
        if self._lines is not None:
            return ReadText(tuple(self._inside(line, image) for line in self._lines))
        text = "NO ENTRY" if lang == "en" else "PROHIBIDO EL PASO"
        box = Box(image.width // 4, image.height // 3, max(1, image.width // 2), max(1, image.height // 3))
        return ReadText((TextLine(text, 0.9, box),))

    @staticmethod
    def _inside(line: TextLine, image: RgbImage) -> TextLine:
        x = min(max(line.box.x, 0), image.width - 1)
        y = min(max(line.box.y, 0), image.height - 1)
        width = max(1, min(line.box.width, image.width - x))
        height = max(1, min(line.box.height, image.height - y))
        return TextLine(line.text, line.confidence, Box(x, y, width, height))

"""Reading the text in an uploaded photo (OCR): "what does this say?" about a letter, a sign, a
medicine box or a bus's destination."""

from __future__ import annotations

import time
from collections.abc import Sequence

from attrs import frozen

from ova.application.ports.vision import ImageDecoder, TextReader
from ova.application.vision.analyze import check_language
from ova.domain.text_reading import TextLine


@frozen
class TextInImage:
    """What was read: ``text`` is the lines joined by newlines (``""`` when there is none), ``lines``
    each with its box (pixels of the uploaded image, after EXIF orientation) and confidence (0 to 1);
    ``language`` the one asked for (``es`` or ``en``)."""

    text: str
    lines: Sequence[TextLine]
    language: str
    model: str
    elapsed_ms: float


@frozen
class ReadTextInImage:
    """Decodes the photo (the same decoder and limits as the other image routes), checks ``lang``
    first (an unknown one is ``UnknownLanguage``, 422, before any work) and asks the reader."""

    decoder: ImageDecoder
    reader: TextReader

    async def __call__(self, data: bytes, *, lang: str = "es") -> TextInImage:
        lang = check_language(lang)
        started = time.perf_counter()
        image = await self.decoder.decode(data)
        read = await self.reader.read(image, lang=lang)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return TextInImage(read.text, read.lines, lang, self.reader.model, elapsed)

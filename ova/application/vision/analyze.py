"""Use cases on uploaded photos. Each decodes once, then asks the models it needs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any

from attrs import frozen

from ova.application.ports.vision import ImageCaptioner, ImageDecoder, ObjectDetector, TextReader
from ova.domain.descriptions import with_written_text
from ova.domain.language import ACCEPTED, parse_language
from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import DetectedObject

LANGUAGES = ACCEPTED


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def check_language(lang: str) -> str:
    """``es`` or ``en`` (``EN``, ``en-GB`` too); anything else is ``UnknownLanguage`` (422)."""
    return parse_language(lang).value


@frozen
class DetectedObjects:
    objects: Sequence[DetectedObject]
    width: int
    height: int
    model: str
    elapsed_ms: float


@frozen
class ImageDescription:
    description: str
    model: str
    elapsed_ms: float


@frozen
class ImageAnalysis:
    """``description`` ends with what is written in the photo (``text``, ``""`` when nothing is)."""

    objects: Sequence[DetectedObject]
    description: str
    width: int
    height: int
    models: Mapping[str, str]
    elapsed_ms: float
    text: str = ""
    lines: Sequence[TextLine] = ()


@frozen
class DetectObjects:
    decoder: ImageDecoder
    detector: ObjectDetector
    min_confidence: float

    async def __call__(self, data: bytes) -> DetectedObjects:
        started = time.perf_counter()
        image = await self.decoder.decode(data)
        objects = await self.detector.detect(image, min_confidence=self.min_confidence)
        return DetectedObjects(objects, image.width, image.height, self.detector.model, _elapsed_ms(started))


@frozen
class DescribeImage:
    decoder: ImageDecoder
    detector: ObjectDetector
    captioner: ImageCaptioner
    min_confidence: float

    async def __call__(self, data: bytes, *, lang: str = "es") -> ImageDescription:
        lang = check_language(lang)
        started = time.perf_counter()
        image = await self.decoder.decode(data)
        objects = await self.detector.detect(image, min_confidence=self.min_confidence)
        description = await self.captioner.describe(image, objects, lang=lang)
        return ImageDescription(description, self.captioner.model, _elapsed_ms(started))


@frozen
class AnalyzeImage:
    """Objects, the text and a description of one photo, decoded once. The detector and the text
    reader look at the photo at the same time (each has its own inference pool); the captioner, which
    may use the detections, comes after, and its sentence ends with what is written."""

    decoder: ImageDecoder
    detector: ObjectDetector
    captioner: ImageCaptioner
    reader: TextReader
    min_confidence: float

    async def __call__(self, data: bytes, *, lang: str = "es") -> ImageAnalysis:
        lang = check_language(lang)
        started = time.perf_counter()
        image = await self.decoder.decode(data)
        objects, read = await _both(self.detector.detect(image, min_confidence=self.min_confidence),
                                    self.reader.read(image, lang=lang))
        description = with_written_text(await self.captioner.describe(image, objects, lang=lang), read.text, lang)
        models = {"detection": self.detector.model, "captioning": self.captioner.model, "ocr": self.reader.model}
        return ImageAnalysis(objects, description, image.width, image.height, models, _elapsed_ms(started),
                             read.text, read.lines)


async def _both(
    detecting: Coroutine[Any, Any, list[DetectedObject]], reading: Coroutine[Any, Any, ReadText],
) -> tuple[list[DetectedObject], ReadText]:
    """Both results; when one fails the other is cancelled (no work left running for nobody)."""
    try:
        async with asyncio.TaskGroup() as group:
            objects = group.create_task(detecting)
            read = group.create_task(reading)
    except ExceptionGroup as failed:  # the first failure, as the route maps it (busy, unavailable...)
        raise failed.exceptions[0] from None
    return objects.result(), read.result()

"""Use cases on uploaded photos. Each decodes once, then asks the models it needs."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from attrs import frozen

from ova.application.ports.vision import ImageCaptioner, ImageDecoder, ObjectDetector
from ova.domain.language import ACCEPTED, parse_language
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
    objects: Sequence[DetectedObject]
    description: str
    width: int
    height: int
    models: Mapping[str, str]
    elapsed_ms: float


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
    """Objects and a description of one photo, decoded and detected once."""

    decoder: ImageDecoder
    detector: ObjectDetector
    captioner: ImageCaptioner
    min_confidence: float

    async def __call__(self, data: bytes, *, lang: str = "es") -> ImageAnalysis:
        lang = check_language(lang)
        started = time.perf_counter()
        image = await self.decoder.decode(data)
        objects = await self.detector.detect(image, min_confidence=self.min_confidence)
        description = await self.captioner.describe(image, objects, lang=lang)
        models = {"detection": self.detector.model, "captioning": self.captioner.model}
        return ImageAnalysis(objects, description, image.width, image.height, models, _elapsed_ms(started))

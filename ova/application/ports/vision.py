from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ova.domain.text_reading import ReadText
from ova.domain.vision import DetectedObject, RgbImage, SignModelInfo, SignPrediction


class ImageDecoder(Protocol):
    """Turns uploaded bytes into an ``RgbImage`` without blocking the event loop.

    The format is decided by the bytes (JPEG, PNG, WEBP), never by a file name. Raises
    ``UnsupportedMedia`` for other formats, ``MediaTooLarge`` past the byte or pixel limits (checked
    from the header, before the pixels are decoded) and ``UnreadableMedia`` for broken data. EXIF
    orientation is applied.
    """

    async def decode(self, data: bytes) -> RgbImage: ...


class ObjectDetector(Protocol):
    """Finds objects; boxes are in pixels of the given image, results sorted by confidence."""

    @property
    def model(self) -> str: ...

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]: ...


class ImageCaptioner(Protocol):
    """One natural sentence about an image, in ``lang`` (``es`` or ``en``).

    ``objects`` are the detections already made for that image; a captioner may use them (the local
    one builds its sentence from them) or look at the pixels itself.
    """

    @property
    def model(self) -> str: ...

    async def describe(self, image: RgbImage, objects: Sequence[DetectedObject], *, lang: str) -> str: ...


class SignRecognizer(Protocol):
    """Recognises an American Sign Language letter shown by a hand in a photo."""

    @property
    def info(self) -> SignModelInfo: ...

    async def recognize(self, image: RgbImage) -> SignPrediction: ...


class TextReader(Protocol):
    """Reads the printed text in a photo (OCR): documents, signs, labels, screens.

    ``lang`` (``es`` or ``en``) is the language to expect first; a reader may also read the other
    (Spanish photos carry English words). Lines come in reading order with boxes in pixels of the
    given image; words it is not confident of are left out, and a photo without text gives no lines,
    never invented ones.
    """

    @property
    def model(self) -> str: ...

    async def read(self, image: RgbImage, *, lang: str) -> ReadText: ...

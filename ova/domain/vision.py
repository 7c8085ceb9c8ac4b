"""What images are to the core: decoded pixels, detected objects, recognised signs."""

from __future__ import annotations

from attrs import field, frozen


@frozen
class RgbImage:
    """A decoded image, EXIF orientation already applied: ``width × height`` RGB pixels, 8 bits each,
    row by row (``len(pixels) == width * height * 3``)."""

    width: int
    height: int
    pixels: bytes = field(repr=False)
    source_format: str = "JPEG"


@frozen
class Box:
    """Pixels of the uploaded image: top-left corner, width and height, inside the image."""

    x: int
    y: int
    width: int
    height: int


@frozen
class DetectedObject:
    label: str
    confidence: float
    box: Box


@frozen
class LabelScore:
    label: str
    confidence: float


@frozen
class SignPrediction:
    """The best letter and the runners-up, confidences 0 to 1. ``letter`` is ``None`` when no hand
    was found."""

    letter: str | None
    confidence: float
    alternatives: tuple[LabelScore, ...] = ()
    hand_detected: bool = False


@frozen
class SignModelInfo:
    name: str
    provider: str
    labels: tuple[str, ...]
    input: str
    version: str

"""Deterministic stand-ins for the object detector and the captioner."""

from __future__ import annotations

from collections.abc import Sequence

from ova.adapters.ai.image_arrays import clip_box
from ova.domain.descriptions import describe_scene
from ova.domain.vision import Box, DetectedObject, RgbImage


class FakeObjectDetector:
    """Returns the objects it was given (kept inside the image) or, by default, one ``person``
    (confidence 0.9) over the middle half of the image; filtered and sorted like the real one."""

    def __init__(self, objects: Sequence[DetectedObject] | None = None) -> None:
        self._objects = tuple(objects) if objects is not None else None
        self.calls = 0

    @property
    def model(self) -> str:
        return "fake-detector"

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        self.calls += 1
        found = []
        for obj in self._objects if self._objects is not None else (_centre_person(image),):
            box = clip_box(obj.box.x, obj.box.y, obj.box.width, obj.box.height, image)
            if box is not None and min_confidence <= obj.confidence <= 1:
                found.append(DetectedObject(label=obj.label, confidence=obj.confidence, box=box))
        found.sort(key=lambda o: -o.confidence)
        return found


class FakeImageCaptioner:
    """The same template sentence as the local captioner, from the detections it is given."""

    @property
    def model(self) -> str:
        return "fake-captioner"

    async def describe(self, image: RgbImage, objects: Sequence[DetectedObject], *, lang: str) -> str:
        return describe_scene(objects, image.width, image.height, lang)


def _centre_person(image: RgbImage) -> DetectedObject:
    box = Box(x=image.width // 4, y=image.height // 4, width=max(1, image.width // 2), height=max(1, image.height // 2))
    return DetectedObject(label="person", confidence=0.9, box=box)

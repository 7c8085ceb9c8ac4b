"""The offline captioner: a sentence built from the detections, not from the pixels."""

from __future__ import annotations

from collections.abc import Sequence

from ova.domain.descriptions import describe_scene
from ova.domain.vision import DetectedObject, RgbImage


class TemplateCaptioner:
    """Says what the detector found, and where; it never invents what it was not told."""

    @property
    def loaded(self) -> bool:
        return True

    @property
    def model(self) -> str:
        return "ova-template-captioner (from detections)"

    def load(self) -> None:
        """Nothing to load: a ``LocalModel`` all the same, warmed up and reported like the others."""

    async def describe(self, image: RgbImage, objects: Sequence[DetectedObject], *, lang: str) -> str:
        return describe_scene(objects, image.width, image.height, lang)

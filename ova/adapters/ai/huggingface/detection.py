"""Object detection through the Inference API (DETR and friends)."""

from __future__ import annotations

from typing import Any

import httpx

from ova.adapters.ai.huggingface.client import HuggingFaceClient, encode_image
from ova.domain.vision import Box, DetectedObject, RgbImage

MAX_SIDE = 1333  # DETR resizes to at most 1333 px anyway; sending more only costs bandwidth


class HfObjectDetector:
    """POSTs the image as JPEG; the answer ``[{label, score, box: {xmin, ymin, xmax, ymax}}]`` is in
    pixels of the image sent, mapped back to the original and clipped to it."""

    def __init__(self, client: HuggingFaceClient, model: str) -> None:
        self._client = client
        self._model = model
        self.breaker = client.new_breaker(f"Hugging Face ({model})")

    @property
    def model(self) -> str:
        return self._model

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        data, scale = await encode_image(image, max_side=MAX_SIDE)

        def parse(response: httpx.Response) -> list[DetectedObject]:
            body = response.json()
            if not isinstance(body, list):
                raise TypeError("a list of detections was expected")
            return [_to_object(item, image, scale) for item in body]

        found = await self._client.post_model(self._model, self.breaker, parse, content=data, content_type="image/jpeg")
        kept = [item for item in found if item.confidence >= min_confidence and item.box.width and item.box.height]
        return sorted(kept, key=lambda item: item.confidence, reverse=True)


def _to_object(item: Any, image: RgbImage, scale: float) -> DetectedObject:
    label, score, box = item["label"], item["score"], item["box"]
    if not isinstance(label, str) or not isinstance(score, int | float):
        raise TypeError("label must be text and score a number")
    left, top, right, bottom = (float(box[key]) / scale for key in ("xmin", "ymin", "xmax", "ymax"))
    x0, x1 = sorted((_clip(left, image.width), _clip(right, image.width)))
    y0, y1 = sorted((_clip(top, image.height), _clip(bottom, image.height)))
    return DetectedObject(label=label, confidence=min(1.0, max(0.0, float(score))), box=Box(x0, y0, x1 - x0, y1 - y0))


def _clip(value: float, limit: int) -> int:
    return min(limit, max(0, round(value)))

"""Image captioning through the Inference API (BLIP and friends)."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from ova.adapters.ai.huggingface.client import HuggingFaceClient, encode_image
from ova.domain.vision import DetectedObject, RgbImage

MAX_SIDE = 768  # BLIP looks at 384 px; a smaller upload is faster and says the same


class HfImageCaptioner:
    """Asks the model for a sentence about the pixels; ``objects`` are not used.

    Limitation: BLIP-style models only speak English. For ``lang="es"`` the English sentence is
    returned as is (no invented translation); wire the local captioner or a translator if Spanish
    matters.
    """

    def __init__(self, client: HuggingFaceClient, model: str) -> None:
        self._client = client
        self._model = model
        self.breaker = client.new_breaker(f"Hugging Face ({model})")

    @property
    def model(self) -> str:
        return self._model

    async def describe(self, image: RgbImage, objects: Sequence[DetectedObject], *, lang: str) -> str:
        data, _ = await encode_image(image, max_side=MAX_SIDE)
        return await self._client.post_model(self._model, self.breaker, _parse, content=data, content_type="image/jpeg")


def _parse(response: httpx.Response) -> str:
    """``[{"generated_text": ...}]`` or a single object; the text becomes a sentence."""
    body = response.json()
    item = body[0] if isinstance(body, list) else body
    text = item["generated_text"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty caption")
    text = " ".join(text.split())
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."

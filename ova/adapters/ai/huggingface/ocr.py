"""Reading text through the Inference API's image-to-text task (``OCR_PROVIDER=huggingface``): TrOCR
and friends, ``HF_OCR_MODEL``.

The wire format is the captioner's: the JPEG bytes are POSTed to the model, the answer is
``[{"generated_text": ...}]`` (or one object). Limitations, documented in the README: TrOCR reads
one line of text from a tight crop (a label, a line of a sign) and has no notion of "no text" (a
photo without text still gets a guess); its answer has no boxes and no confidence, so each line gets
the whole image as its box and ``CONFIDENCE``. For whole photos use the local reader or a vision
chat model (``OCR_PROVIDER=openai-compatible``).
"""

from __future__ import annotations

import httpx

from ova.adapters.ai.huggingface.client import HuggingFaceClient, encode_image
from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import Box, RgbImage

MAX_SIDE = 1024  # TrOCR looks at 384 px; more would only make the upload slower
CONFIDENCE = 0.5
"""The confidence of every line read by a model that reports none: "read, certainty unknown"."""


class HfTextReader:
    """A ``TextReader`` on a Hugging Face image-to-text model; ``lang`` is not sent (TrOCR has no
    language setting: its printed model reads Latin letters, accents included)."""

    def __init__(self, client: HuggingFaceClient, model: str) -> None:
        self._client = client
        self._model = model
        self.breaker = client.new_breaker(f"Hugging Face ({model})")

    @property
    def model(self) -> str:
        return self._model

    async def read(self, image: RgbImage, *, lang: str) -> ReadText:
        data, _ = await encode_image(image, max_side=MAX_SIDE)
        lines = await self._client.post_model(self._model, self.breaker, _lines, content=data,
                                              content_type="image/jpeg")
        whole = Box(0, 0, image.width, image.height)
        return ReadText(tuple(TextLine(line, CONFIDENCE, whole) for line in lines))


def _lines(response: httpx.Response) -> list[str]:
    """``[{"generated_text": ...}]`` or a single object; an empty text is no lines."""
    body = response.json()
    item = body[0] if isinstance(body, list) else body
    text = item["generated_text"]
    if not isinstance(text, str):
        raise TypeError("generated_text is not text")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]

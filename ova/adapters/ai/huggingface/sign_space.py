"""ASL letters from a Gradio 5 Space, spoken over Gradio's plain HTTP protocol (no gradio_client):
upload → ``POST /gradio_api/call/predict`` → ``{"event_id"}`` → ``GET .../{event_id}`` (SSE)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from ova.adapters.ai.huggingface.client import HuggingFaceClient, check, encode_image, malformed
from ova.adapters.ai.resilience import RemoteCallError
from ova.domain.vision import LabelScore, RgbImage, SignModelInfo, SignPrediction

LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
LABELS = (*LETTERS, "nothing", "del", "space")
MAX_SIDE = 512  # the Keras model looks at 224×224
MAX_ALTERNATIVES = 4


class GradioSignRecognizer:
    """``client`` gives the HTTP client, the API key (for private Spaces), the timeout and retry policy."""

    def __init__(
        self, client: HuggingFaceClient, *, space_url: str, model_name: str, api_name: str = "predict"
    ) -> None:
        self._client = client
        self._space = space_url.rstrip("/")
        self._api = api_name
        self._info = SignModelInfo(
            name=model_name, provider="huggingface-space", labels=LABELS, input="imagen RGB 224×224", version="gradio-5"
        )
        self.breaker = client.new_breaker(f"El Space de Hugging Face ({model_name})")

    @property
    def info(self) -> SignModelInfo:
        return self._info

    async def recognize(self, image: RgbImage) -> SignPrediction:
        data, _ = await encode_image(image, max_side=MAX_SIDE, image_format="PNG")

        async def attempt() -> SignPrediction:
            outputs = await self._predict(data)
            try:
                return to_prediction(outputs)
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                raise malformed(self.breaker.name) from exc

        return await self._client.call(attempt, self.breaker)

    async def _predict(self, data: bytes) -> Any:
        http, headers, timeout = self._client.http, self._client.headers(), self._client.request_timeout
        name = self.breaker.name
        files = {"files": ("image.png", data, "image/png")}
        response = await http.post(f"{self._space}/gradio_api/upload", files=files, headers=headers, timeout=timeout)
        check(response, name)
        try:
            path = response.json()[0]
            call = {"data": [{"path": path, "meta": {"_type": "gradio.FileData"}}]}
        except (ValueError, KeyError, IndexError) as exc:
            raise malformed(name) from exc
        url = f"{self._space}/gradio_api/call/{self._api}"
        response = await http.post(url, json=call, headers=headers, timeout=timeout)
        check(response, name)
        try:
            event_id = str(response.json()["event_id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise malformed(name) from exc
        async with http.stream("GET", f"{url}/{event_id}", headers=headers, timeout=timeout) as stream:
            if not stream.is_success:
                await stream.aread()
                check(stream, name)
            async for event, payload in _events(stream.aiter_lines()):
                if event == "complete":
                    return json.loads(payload)
                if event == "error":
                    # Gradio sends ``null`` unless the app shows errors; either way the Space failed.
                    raise RemoteCallError(f"{name} falló al procesar la imagen ({payload or 'sin detalle'}).")
        raise malformed(name)


async def _events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str]]:
    """Server-sent events as ``(event, data)``; heartbeats and ``generating`` pass through to the caller."""
    event, data = "message", list[str]()
    async for line in lines:
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", list[str]()
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield event, "\n".join(data)


def to_prediction(outputs: Any) -> SignPrediction:
    """Accepts ``[label, probability, top-k]`` (the old backend's reading) or a Gradio ``Label``
    ``[{"label", "confidences": [{"label", "confidence"}]}]``; confidences 0–1 or 0–100."""
    first = outputs[0]
    if isinstance(first, dict):
        ranked = [(str(item["label"]), float(item["confidence"])) for item in first.get("confidences") or []]
        fallback = ranked[0][1] if ranked else 1.0  # a Label without confidences asserts its label
        top = (str(first["label"]), next((c for label, c in ranked if label == first["label"]), fallback))
    else:
        top = (str(first), float(outputs[1]))
        ranked = _ranking(outputs[2]) if len(outputs) > 2 else []
    scale = 100.0 if max([top[1], *(c for _, c in ranked)]) > 1.0 else 1.0
    label, confidence = _label(top[0]), min(1.0, max(0.0, top[1] / scale))
    alternatives = tuple(
        LabelScore(_label(name), min(1.0, max(0.0, c / scale)))
        for name, c in sorted(ranked, key=lambda pair: pair[1], reverse=True)
        if _label(name) in LETTERS and _label(name) != label
    )[:MAX_ALTERNATIVES]
    if label not in LETTERS:  # nothing / del / space: no letter shown
        return SignPrediction(None, confidence, alternatives, hand_detected=False)
    return SignPrediction(label, confidence, alternatives, hand_detected=True)


def _ranking(value: Any) -> list[tuple[str, float]]:
    """A top-k list as ``{label: p}``, ``[[label, p], ...]`` or ``[{"label", "confidence"|"score"}]``."""
    if isinstance(value, dict):
        return [(str(key), float(p)) for key, p in value.items()]
    ranked = []
    for item in value:
        if isinstance(item, dict):
            ranked.append((str(item["label"]), float(item["confidence"] if "confidence" in item else item["score"])))
        else:
            ranked.append((str(item[0]), float(item[1])))
    return ranked


def _label(name: str) -> str:
    name = name.strip()
    return name.upper() if len(name) == 1 else name.lower()

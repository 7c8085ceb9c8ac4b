"""One photo and one instruction to any OpenAI-compatible vision chat model (vLLM, the llama.cpp
server, Ollama, OpenAI): what the remote captioner and the remote text reader share.

The request is a plain (not streamed) ``POST {base}/chat/completions``::

    {"model": ..., "stream": false, "max_tokens": ..., "temperature": 0,
     "messages": [{"role": "system", "content": <instruction>},
                  {"role": "user", "content": [{"type": "text", "text": <ask>},
                                               {"type": "image_url",
                                                "image_url": {"url": "data:image/jpeg;base64,..."}}]}]}

and the answer is ``choices[0].message.content``. The photo is never sent as uploaded: its decoded
pixels are re-encoded as a JPEG whose longest side is at most ``max_side`` (1024 by default), which
bounds the request (a vision model looks at far fewer pixels anyway) and drops whatever the upload
carried besides the pixels (EXIF, GPS position).

Resilience is the remote adapters' policy (``ova.adapters.ai.resilience``): one deadline for the
whole call, retries of connection errors, 408, 429 and 5xx, a circuit breaker per adapter; the
chat adapter's status mapping (``openai_chat.status_error``): 401/403/404 are configuration errors;
an answer that is not the expected JSON is ``ModelUnavailable`` ("no se entiende"), never retried.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ova.adapters.ai.huggingface.client import encode_image
from ova.adapters.ai.openai_chat import USER_AGENT, malformed, status_error
from ova.adapters.ai.resilience import CircuitBreaker, call_with_resilience
from ova.domain.vision import RgbImage

MAX_SIDE = 1024
"""The longest side of the JPEG sent (pixels): enough for vision models (Qwen2.5-VL, LLaVA, GPT-4o
look at about 1 Mpx or less) and for small print, and a request of a few hundred KiB at most."""


class OpenAICompatibleVision:
    """``base_url`` is the API prefix (``http://host:8000/v1``, ``http://host:11434/v1``); ``model`` the
    vision model's name on that server; ``http`` is shared and owned by the caller."""

    def __init__(
        self, base_url: str, api_key: str | None, model: str, *, http: httpx.AsyncClient, timeout_s: float,
        breaker: CircuitBreaker, max_side: int = MAX_SIDE, max_attempts: int = 3, base_delay_s: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/chat/completions"
        self.api_key = api_key or None
        self.model = model
        self.http = http
        self.timeout_s = timeout_s
        self.breaker = breaker
        self.max_side = max_side
        self._max_attempts = max_attempts
        self._base_delay_s = base_delay_s
        self._sleep = sleep
        self._clock = clock

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def payload(self, instruction: str, ask: str, jpeg: bytes, *, max_tokens: int) -> dict[str, Any]:
        url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
        return {
            "model": self.model, "stream": False, "max_tokens": max_tokens, "temperature": 0,
            "messages": [
                {"role": "system", "content": instruction},
                {"role": "user", "content": [
                    {"type": "text", "text": ask},
                    {"type": "image_url", "image_url": {"url": url}},
                ]},
            ],
        }

    async def ask(self, image: RgbImage, *, instruction: str, ask: str, max_tokens: int) -> str:
        """The model's answer (stripped; ``""`` when it says nothing) about ``image``. Raises
        ``ModelUnavailable`` when the server cannot answer in time or answers something unreadable."""
        jpeg, _ = await encode_image(image, max_side=self.max_side)
        body = json.dumps(self.payload(instruction, ask, jpeg, max_tokens=max_tokens)).encode()

        async def attempt() -> str:  # an ``async def``: tenacity would not await a lambda's coroutine
            response = await self.http.post(
                self.url, content=body, headers=self.headers(),
                timeout=httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s)),
            )
            if not response.is_success:
                raise status_error(response, self.breaker.name)
            return answer_of(response, self.breaker.name)

        return await call_with_resilience(
            attempt, breaker=self.breaker, timeout_s=self.timeout_s, max_attempts=self._max_attempts,
            base_delay_s=self._base_delay_s, sleep=self._sleep, clock=self._clock,
        )


def answer_of(response: httpx.Response, provider: str) -> str:
    """``choices[0].message.content`` of a chat completion, stripped (``null`` content is ``""``);
    a body of any other shape is a malformed answer (``RemoteCallError``)."""
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise malformed(provider) from exc
    if content is None:
        return ""
    if not isinstance(content, str):
        raise malformed(provider)
    return content.strip()

"""A stand-in for an OpenAI-compatible vision chat server (vLLM, llama.cpp server, Ollama, OpenAI):
``POST /v1/chat/completions`` with a photo as an ``image_url`` data URL, answered with a plain
``chat.completion`` JSON body, scripted per test, recording every request.

It checks the request shape as a strict server would and answers 400 (OpenAI's error body) when it
is wrong: a ``model``, ``"stream": false``, messages ending with a user message whose content is a
``text`` part and an ``image_url`` part, and a data URL that decodes to a JPEG. ``images`` keeps the
decoded photos (Pillow images) in order. ``script(*replies)`` queues answers (``Reply`` from
``tests.fakes.hf_server``, or ``text(...)``); the last one repeats. Without a script every request
gets ``ANSWER``. Serve it with ``running(fake)`` or ``served`` (from ``tests.fakes.served``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import threading
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.hf_server import Recorded, Reply

PATH = "/v1/chat/completions"
ANSWER = "Se ve una calle con un autobús rojo delante."
PREFIX = "data:image/jpeg;base64,"


def text(content: str | None) -> Reply:
    """A chat completion whose message says ``content``."""
    body = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "fake-vision",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}
    return Reply(body=json.dumps(body).encode())


def bad_request(message: str) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return Response(json.dumps(body).encode(), 400, media_type="application/json")


class FakeVisionServer:
    def __init__(self) -> None:
        self.api_key: str | None = None
        self.requests: list[Recorded] = []
        self.images: list[Image.Image] = []
        self._scripts: list[Reply] = []
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self.app = Starlette(routes=[Route(PATH, self._complete, methods=["POST"])])

    def reset(self) -> None:
        with self._lock:
            self.api_key = None
            self.requests.clear()
            self.images.clear()
            self._scripts.clear()

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._scripts = list(replies)

    def payload(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].body)

    async def _complete(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Response(b'{"error": {"message": "Invalid API key", "type": "invalid_request_error"}}', 401,
                            media_type="application/json")
        problem = self._check(body)
        if problem is not None:
            return bad_request(problem)
        with self._lock:
            queue = self._scripts
            reply = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else text(ANSWER)
        if reply.delay_s:  # a hang that ends early when the server stops
            await asyncio.to_thread(self.closing.wait, reply.delay_s)
        return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.content_type)

    def _check(self, body: bytes) -> str | None:
        """What is wrong with the request (``None``: nothing); a good photo is kept in ``images``."""
        try:
            payload = json.loads(body)
            model, stream, messages = payload["model"], payload.get("stream", False), payload["messages"]
            user = messages[-1]
            parts = {part["type"]: part for part in user["content"]}
            url = parts["image_url"]["image_url"]["url"]
            ask = parts["text"]["text"]
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            return f"malformed request: {exc!r}"
        if not isinstance(model, str) or not model or stream is not False or user.get("role") != "user":
            return "model, stream false and a user message are required"
        if not isinstance(ask, str) or not ask or not isinstance(url, str) or not url.startswith(PREFIX):
            return "a text part and a JPEG data URL are required"
        try:
            image = Image.open(io.BytesIO(base64.b64decode(url.removeprefix(PREFIX), validate=True)))
            image.load()
        except (binascii.Error, OSError) as exc:
            return f"the image cannot be decoded: {exc}"
        if image.format != "JPEG":
            return f"the data URL says JPEG but holds {image.format}"
        self.images.append(image)
        return None

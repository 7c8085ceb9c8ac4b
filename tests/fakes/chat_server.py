"""A stand-in for an OpenAI-compatible chat server (Hugging Face's router, vLLM, llama.cpp, Ollama):
``POST /v1/chat/completions`` answering server-sent events in the real wire format, scripted per test,
recording every request and how many answers are being sent right now; ``GET /v1/models`` lists one
model (what a reachability probe asks).

``script(*replies)`` queues answers; the last one repeats. Without a script every request gets
``ANSWER`` streamed a word at a time. Serve it with ``running(fake)`` or ``served`` (from ``tests.fakes.served``).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import AsyncIterator
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.hf_server import Recorded, Reply

PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
ANSWER = "The capital of France is Paris."


@attrs.frozen
class Streamed:
    """An SSE answer of ``pieces``. ``delay_s`` is waited before each piece. ``keepalives`` adds
    comment lines, a role-only first chunk and an empty delta (which clients must skip). The end:
    ``finish`` sends a chunk with ``finish_reason`` and ``done`` the ``data: [DONE]`` line;
    ``error`` sends an ``{"error": ...}`` event after the pieces; ``drop`` breaks the connection."""

    pieces: tuple[str, ...]
    delay_s: float = 0.0
    keepalives: bool = True
    finish: bool = True
    done: bool = True
    error: str | None = None
    drop: bool = False
    headers: dict[str, str] = attrs.field(factory=dict)


def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\S+\s*", text))


def answer(text: str = ANSWER, **options: Any) -> Streamed:
    return Streamed(words(text), **options)


def error_reply(status: int, message: str = "boom", **headers: str) -> Reply:
    return Reply(status=status, body=json.dumps({"error": {"message": message, "type": "server_error"}}).encode(),
                 headers=headers)


def _event(value: Any) -> bytes:
    return f"data: {json.dumps(value)}\n\n".encode()


def _chunk(delta: dict[str, str], finish_reason: str | None = None) -> bytes:
    return _event({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]})


class ConnectionDropped(Exception):
    """Raised inside the streaming body to break the connection mid-answer."""


class FakeChatServer:
    def __init__(self) -> None:
        self.api_key: str | None = None
        self.requests: list[Recorded] = []
        self.sending = 0  # answers being streamed right now
        self.closed_early = 0  # answers whose client went away before the end
        self._scripts: list[Reply | Streamed] = []
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self.models_asked = 0  # ``GET /v1/models``: what a reachability probe asks
        self.app = Starlette(routes=[Route(PATH, self._complete, methods=["POST"]),
                                     Route(MODELS_PATH, self._models, methods=["GET"])])

    def reset(self) -> None:
        with self._lock:
            self.api_key = None
            self.requests.clear()
            self._scripts.clear()
            self.sending = 0
            self.closed_early = 0

    def script(self, *replies: Reply | Streamed) -> None:
        with self._lock:
            self._scripts = list(replies)

    def payload(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].body)

    async def _models(self, request: Request) -> Response:
        self.models_asked += 1
        return Response(json.dumps({"object": "list", "data": [{"id": "fake", "object": "model"}]}),
                        media_type="application/json")

    async def _complete(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Response(b'{"error": {"message": "Invalid API key", "type": "invalid_request_error"}}', 401,
                            media_type="application/json")
        with self._lock:
            queue = self._scripts
            reply = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else answer()
        if isinstance(reply, Reply):
            if reply.delay_s:
                await asyncio.to_thread(self.closing.wait, reply.delay_s)
            return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.content_type)
        return StreamingResponse(self._events(reply), media_type="text/event-stream", headers=reply.headers)

    async def _events(self, reply: Streamed) -> AsyncIterator[bytes]:
        self.sending += 1
        finished = False
        try:
            if reply.keepalives:
                yield b": keep-alive\n\n"
                yield _chunk({"role": "assistant", "content": ""})
            for piece in reply.pieces:
                if reply.delay_s:
                    await asyncio.sleep(reply.delay_s)
                yield _chunk({"content": piece})
                if reply.keepalives:
                    yield b": ping\n\n"
            if reply.drop:
                raise ConnectionDropped
            if reply.error is not None:
                yield _event({"error": {"message": reply.error, "type": "server_error"}})
            if reply.finish:
                yield _chunk({}, "stop")
            if reply.done:
                yield b"data: [DONE]\n\n"
            finished = True
        finally:
            self.sending -= 1
            if not finished and not reply.drop:
                self.closed_early += 1

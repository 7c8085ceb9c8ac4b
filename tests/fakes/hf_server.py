"""A stand-in for Hugging Face: Inference API task models under ``/models/{org}/{name}`` and a Gradio 5
Space under ``/gradio_api/...``, in the real wire formats, scripted per test, recording every request.

``script(path, reply, ...)`` queues answers for a path; the last one repeats (``PASS`` means "not
scripted"). Without a script a
model path answers 404 and the Space routes behave like a healthy Space whose ``predict`` outputs
are ``space_outputs`` (or ``space_error``). Serve it with ``running(fake)`` or ``served`` (from
``tests.fakes.served``).
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

UPLOAD = "/gradio_api/upload"
CALL = "/gradio_api/call/predict"


@attrs.frozen
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay_s: float = 0.0
    headers: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


PASS = Reply(status=0)
"""In a script: behave as if nothing were scripted (a healthy Space; a 404 for a model)."""


def ok(value: Any) -> Reply:
    return Reply(body=json.dumps(value).encode())


def audio(data: bytes, content_type: str = "audio/flac") -> Reply:
    return Reply(body=data, content_type=content_type)


def loading(estimated_time: float) -> Reply:
    body = {"error": "Model facebook/detr-resnet-50 is currently loading", "estimated_time": estimated_time}
    return Reply(status=503, body=json.dumps(body).encode())


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, body=b'{"error": "Internal Server Error"}')


def sleeping_space() -> Reply:
    return Reply(status=503, body=b"<html><body>This Space is waking up</body></html>", content_type="text/html")


def hang(seconds: float = 5.0) -> Reply:
    return Reply(body=b"[]", delay_s=seconds)


def malformed() -> Reply:
    return Reply(body=b"<html>not json", content_type="application/json")


class FakeHuggingFace:
    def __init__(self) -> None:
        self.api_key: str | None = None
        self.requests: list[Recorded] = []
        self.space_outputs: list[Any] = ["A", 0.9, [["A", 0.9], ["B", 0.05]]]
        self.space_error: str | None = None
        self._scripts: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self.app = Starlette(routes=[
            Route("/models/{org}/{name}", self._model, methods=["POST"]),
            Route(UPLOAD, self._upload, methods=["POST"]),
            Route(CALL, self._call, methods=["POST"]),
            Route(CALL + "/{event_id}", self._events, methods=["GET"]),
        ])

    def reset(self) -> None:
        with self._lock:
            self.api_key = None
            self.requests.clear()
            self._scripts.clear()
            self.space_outputs = ["A", 0.9, [["A", 0.9], ["B", 0.05]]]
            self.space_error = None

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[path] = list(replies)

    def count(self, path: str) -> int:
        return sum(1 for request in self.requests if request.path == path)

    def last(self, path: str) -> Recorded:
        return [request for request in self.requests if request.path == path][-1]

    async def _scripted(self, request: Request) -> Response | None:
        body = await request.body()
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Response(b'{"error": "Invalid credentials in Authorization header"}', 401,
                            media_type="application/json")
        with self._lock:
            queue = self._scripts.get(request.url.path)
            reply = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else None
        if reply is None or reply is PASS:
            return None
        if reply.delay_s:  # a hang that ends early when the server stops
            await asyncio.to_thread(self.closing.wait, reply.delay_s)
        return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.content_type)

    async def _model(self, request: Request) -> Response:
        scripted = await self._scripted(request)
        return scripted or Response(b'{"error": "Model not found"}', 404, media_type="application/json")

    async def _upload(self, request: Request) -> Response:
        if scripted := await self._scripted(request):
            return scripted
        form = await request.form()
        names = [getattr(upload, "filename", "file") for upload in form.getlist("files")]
        await form.close()
        paths = [f"/tmp/gradio/{uuid.uuid4().hex}/{name}" for name in names]
        return Response(json.dumps(paths), media_type="application/json")

    async def _call(self, request: Request) -> Response:
        if scripted := await self._scripted(request):
            return scripted
        payload = await request.json()
        if payload["data"][0]["meta"]["_type"] != "gradio.FileData":
            return Response(b'{"detail": "bad input"}', 422, media_type="application/json")
        return Response(json.dumps({"event_id": uuid.uuid4().hex}), media_type="application/json")

    async def _events(self, request: Request) -> Response:
        if scripted := await self._scripted(request):
            return scripted
        outputs, error = self.space_outputs, self.space_error

        async def stream() -> AsyncIterator[bytes]:
            yield b"event: heartbeat\ndata: null\n\n"
            if error is not None:
                yield f"event: error\ndata: {json.dumps(error)}\n\n".encode()
            else:
                yield b"event: generating\ndata: null\n\n"
                yield f"event: complete\ndata: {json.dumps(outputs)}\n\n".encode()

        return StreamingResponse(stream(), media_type="text/event-stream")


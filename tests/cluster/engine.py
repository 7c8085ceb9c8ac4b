"""The cluster's inference engine: an OpenAI-compatible chat server (``POST /v1/chat/completions``,
streamed as server-sent events, and ``GET /v1/models``) in its own network namespace, as
``llama-server`` or vLLM would be. Its answers come from the scripted ``FakeChatModel`` (``!slow``,
``!empty``, ``!history``...), so tests on the hosts can steer it through the messages they send.

Run as ``python -m tests.cluster.engine --host 0.0.0.0 --port 8080``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import click
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.application.ports.chat import ChatPrompt
from ova.domain.chat import Speaker, Turn
from ova.domain.errors import ModelUnavailable

MODEL = "cluster-engine"


def prompt_of(body: Any) -> ChatPrompt:
    """``[system?, *history, user]`` as the chat adapters send it."""
    messages = [m for m in body.get("messages", []) if isinstance(m, dict)]
    system = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
    talk = [m for m in messages if m.get("role") in ("user", "assistant")]
    last = str(talk[-1].get("content", "")) if talk else ""
    now = datetime.now(UTC)
    history = [
        Turn(Speaker.USER if m["role"] == "user" else Speaker.ASSISTANT, str(m.get("content", "")), now)
        for m in talk[:-1]
    ]
    return ChatPrompt(system=system, history=history, message=last)


def _event(value: Any) -> bytes:
    return f"data: {json.dumps(value)}\n\n".encode()


def _chunk(delta: dict[str, str], finish_reason: str | None = None) -> bytes:
    return _event({"id": "chatcmpl-cluster", "object": "chat.completion.chunk", "created": 0, "model": MODEL,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]})


def build_app() -> Starlette:
    model = FakeChatModel(piece_delay_s=0.01)

    async def complete(request: Request) -> Response:
        try:
            prompt = prompt_of(await request.json())
            pieces = model.stream(prompt)
            first = await anext(pieces, None)  # ``!fail`` raises here, before the response starts
        except ModelUnavailable as error:
            return JSONResponse({"error": {"message": str(error), "type": "server_error"}}, 503)
        except ValueError:
            return JSONResponse({"error": {"message": "invalid JSON", "type": "invalid_request_error"}}, 400)

        async def events() -> AsyncIterator[bytes]:
            yield _chunk({"role": "assistant", "content": ""})
            if first is not None:
                yield _chunk({"content": first})
                async for piece in pieces:
                    yield _chunk({"content": piece})
            yield _chunk({}, "stop")
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    async def models(_: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "ova-tests"}]})

    return Starlette(routes=[
        Route("/v1/chat/completions", complete, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
    ])


@click.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8080, type=int)
def main(host: str, port: int) -> None:
    uvicorn.run(build_app(), host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()

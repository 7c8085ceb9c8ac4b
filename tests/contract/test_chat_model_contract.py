"""The same assertions for every chat model: the fake, the real local model (SmolLM2 through
llama.cpp, run for real) and the OpenAI-compatible adapter against a local SSE server.

Each subject is built with room for exactly one generation, so "the next stream works" proves the
previous one gave its slot (or its HTTP connection) back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import attrs
import httpx
import pytest

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.local.chat import LlamaChatModel
from ova.adapters.ai.openai_chat import OpenAICompatibleChatModel
from ova.adapters.ai.resilience import CircuitBreaker
from ova.application.ports.chat import ChatModel, ChatPrompt
from ova.domain.errors import Busy
from tests.fakes.chat_server import FakeChatServer, answer
from tests.fakes.served import served

QUESTION = ChatPrompt(system="Answer briefly.", history=(), message="What is the capital of France?")
STORY = ChatPrompt(system="You are a storyteller.", history=(),
                   message="Tell me a long story about a dragon who learns to cook.")
PROMPT_TIMEOUT_S = 2.0
"""How long closing a stream, and the release of what it held, may take: generous on purpose."""


@attrs.frozen
class Subject:
    model: ChatModel
    idle: Callable[[], bool]
    """Nothing is generating or being sent any more (thread, slot, server response)."""


chat_server = served(FakeChatServer)


@pytest.fixture(params=["fake", "local", "remote"])
async def subject(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    if request.param == "fake":
        fake = FakeChatModel(piece_delay_s=0.01, capacity=1)
        yield Subject(fake, lambda: fake.active == 0)
    elif request.param == "local":
        # One thread: llama.cpp's threads wait on each other at every layer, which collapses to seconds
        # per token when a busy CI machine has no spare cores; one thread keeps every token short.
        local = LlamaChatModel(threads=1, context_window=1024, max_tokens=48, temperature=0.0, concurrency=1, queue=0)
        local.load()
        yield Subject(local, lambda: local.running == 0 and local.in_flight == 0)
    else:
        server, base = request.getfixturevalue("chat_server")
        server.reset()
        server.script(answer("Paris is the capital of France and its largest city, " * 4, delay_s=0.02))
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)  # a leaked response blocks the next
        async with httpx.AsyncClient(limits=limits) as http:
            remote = OpenAICompatibleChatModel(
                f"{base}/v1", None, "HuggingFaceTB/SmolLM2-135M-Instruct", http=http, timeout_s=5.0,
                breaker=CircuitBreaker("chat", failure_threshold=3, reset_after_s=30.0), max_tokens=64,
                temperature=0.0,
            )
            yield Subject(remote, lambda: server.sending == 0)


async def eventually(condition: Callable[[], bool], timeout_s: float = PROMPT_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def answer_to(model: ChatModel, prompt: ChatPrompt) -> list[str]:
    return [piece async for piece in model.stream(prompt)]


async def test_pieces_arrive_as_a_stream_and_join_to_an_answer(subject: Subject) -> None:
    stream = subject.model.stream(QUESTION)
    assert isinstance(stream, AsyncIterator)

    pieces = [piece async for piece in stream]

    assert pieces and all(isinstance(piece, str) for piece in pieces)
    assert "".join(pieces).strip()
    assert subject.model.model
    assert await eventually(subject.idle)


async def test_closing_after_the_first_piece_stops_promptly_and_frees_the_slot(subject: Subject) -> None:
    stream = subject.model.stream(STORY)
    first = await anext(stream)
    assert isinstance(first, str)

    async with asyncio.timeout(PROMPT_TIMEOUT_S):
        await stream.aclose()

    assert await eventually(subject.idle)
    assert "".join(await answer_to(subject.model, QUESTION)).strip()


async def test_cancelling_the_consumer_stops_the_stream_and_frees_the_slot(subject: Subject) -> None:
    first_piece = asyncio.Event()

    async def consume() -> None:
        async for _ in subject.model.stream(STORY):
            first_piece.set()

    task = asyncio.create_task(consume())
    async with asyncio.timeout(60):
        await first_piece.wait()
    task.cancel()
    await asyncio.wait({task}, timeout=PROMPT_TIMEOUT_S)

    assert task.cancelled()
    assert await eventually(subject.idle)
    assert "".join(await answer_to(subject.model, QUESTION)).strip()


@pytest.mark.parametrize("subject", ["fake", "local"], indirect=True)  # a remote server answers 429 itself
async def test_a_stream_beyond_the_limit_is_busy_at_once(subject: Subject) -> None:
    running_stream = subject.model.stream(STORY)
    await anext(running_stream)

    with pytest.raises(Busy):
        await anext(subject.model.stream(QUESTION))

    await running_stream.aclose()
    assert await eventually(subject.idle)

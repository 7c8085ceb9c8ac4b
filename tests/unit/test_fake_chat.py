"""The scripted chat model that tests and ``CHAT_PROVIDER=fake`` servers use."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from ova.adapters.ai.fakes.chat import NO_HISTORY, FakeChatModel
from ova.application.ports.chat import ChatPrompt
from ova.domain.chat import Speaker, Turn
from ova.domain.errors import Busy, ModelUnavailable

AT = datetime(2025, 1, 1, tzinfo=UTC)


def prompt(message: str, *history: Turn) -> ChatPrompt:
    return ChatPrompt(system="Eres OVA.", history=history, message=message)


async def pieces(model: FakeChatModel, message: str, *history: Turn) -> list[str]:
    return [piece async for piece in model.stream(prompt(message, *history))]


async def test_the_default_answer_streams_word_by_word_and_records_the_prompt() -> None:
    model = FakeChatModel()

    got = await pieces(model, "hola mundo")

    assert got == ["Respuesta ", "a: ", "hola ", "mundo"]
    assert list(model.prompts) == [prompt("hola mundo")]
    assert (model.active, model.cancelled, model.completed) == (0, 0, 1)


async def test_history_command_shows_each_turn_the_model_was_given() -> None:
    model = FakeChatModel()
    turns = (Turn(Speaker.USER, "hola", AT), Turn(Speaker.ASSISTANT, "¿qué tal?", AT))

    assert "".join(await pieces(model, "!history", *turns)) == "user: hola | assistant: ¿qué tal?"
    assert "".join(await pieces(model, "!history")) == NO_HISTORY


async def test_slow_command_streams_numbered_pieces() -> None:
    assert await pieces(FakeChatModel(), "!slow 0.001 3") == ["pieza 1 ", "pieza 2 ", "pieza 3 "]


async def test_fail_raises_before_any_piece_and_empty_yields_nothing() -> None:
    model = FakeChatModel()

    with pytest.raises(ModelUnavailable):
        await pieces(model, "!fail")
    assert await pieces(model, "!empty") == []
    assert (model.active, model.cancelled) == (0, 0)


async def test_closing_after_the_first_piece_counts_as_cancelled_and_frees_it() -> None:
    model = FakeChatModel(piece_delay_s=0.01)
    stream = model.stream(prompt("uno dos tres"))

    assert await anext(stream) == "Respuesta "
    assert model.active == 1
    await stream.aclose()

    assert (model.active, model.cancelled, model.completed) == (0, 1, 0)


async def test_cancelling_the_consumer_task_frees_the_stream() -> None:
    model = FakeChatModel(piece_delay_s=10)
    first_piece = asyncio.Event()

    async def consume() -> None:
        async for _ in model.stream(prompt("uno dos tres")):
            first_piece.set()

    task = asyncio.create_task(consume())
    await first_piece.wait()
    task.cancel()
    await asyncio.wait({task})

    assert task.cancelled()
    assert (model.active, model.cancelled) == (0, 1)


async def test_capacity_makes_an_extra_stream_busy() -> None:
    model = FakeChatModel(capacity=1)
    first = model.stream(prompt("uno dos"))
    await anext(first)

    with pytest.raises(Busy):
        await anext(model.stream(prompt("otra")))
    await first.aclose()
    assert await pieces(model, "otra") == ["Respuesta ", "a: ", "otra"]

"""The local chat model (SmolLM2-135M-Instruct through llama.cpp), run for real: admission, answers
decoded side by side, fitting long conversations into the context window, and load errors
(``test_batched_chat`` pins the batching itself)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ova.adapters.ai.local.answer_end import CUT_MARK
from ova.adapters.ai.local.chat import MESSAGE_OVERHEAD, LlamaChatModel, fit_prompt
from ova.application.ports.chat import ChatPrompt
from ova.domain.chat import Speaker, Turn
from ova.domain.errors import Busy, InvalidInput, ModelUnavailable

AT = datetime(2025, 1, 1, tzinfo=UTC)
QUESTION = ChatPrompt(system="Answer briefly.", history=(), message="What is the capital of France?")
STORY = ChatPrompt(system="You are a storyteller.", history=(), message="Tell me a long story about a dragon.")


def turn(index: int, words: int = 50) -> Turn:
    speaker = Speaker.USER if index % 2 == 0 else Speaker.ASSISTANT
    return Turn(speaker, " ".join(f"t{index}" for _ in range(words)), AT)


def word_count(text: str) -> int:
    return len(text.split())


async def answer(model: LlamaChatModel, prompt: ChatPrompt) -> str:
    return "".join([piece async for piece in model.stream(prompt)])


async def until(condition: Callable[[], bool], timeout_s: float = 2.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_the_oldest_turns_are_dropped_to_leave_room_for_the_answer() -> None:
    history = tuple(turn(index) for index in range(10))
    prompt = ChatPrompt(system="be brief", history=history, message="and now?")

    messages, max_tokens = fit_prompt(prompt, word_count, context_window=400, max_tokens=100)

    kept = [message["content"] for message in messages[1:-1]]
    assert kept == [item.text for item in history[-len(kept):]] and 0 < len(kept) < len(history)
    assert messages[0] == {"role": "system", "content": "be brief"}
    assert messages[-1] == {"role": "user", "content": "and now?"}
    assert [message["role"] for message in messages[1:3]] in (["user", "assistant"], ["assistant", "user"])
    used = sum(word_count(message["content"]) + MESSAGE_OVERHEAD for message in messages) + MESSAGE_OVERHEAD
    assert max_tokens == 100 and used + max_tokens <= 400


def test_a_short_conversation_is_kept_whole() -> None:
    prompt = ChatPrompt(system="", history=(turn(0, 3), turn(1, 3)), message="hi")
    messages, max_tokens = fit_prompt(prompt, word_count, context_window=2048, max_tokens=256)
    assert [message["role"] for message in messages] == ["user", "assistant", "user"]
    assert max_tokens == 256


def test_a_message_too_long_for_the_window_is_invalid_input() -> None:
    prompt = ChatPrompt(system="", history=(), message="word " * 1000)
    with pytest.raises(InvalidInput):
        fit_prompt(prompt, word_count, context_window=512, max_tokens=64)


async def test_an_answer_cut_by_the_token_limit_ends_on_a_whole_word_and_a_mark() -> None:
    cut = await answer(LlamaChatModel(threads=1, context_window=512, max_tokens=20, temperature=0.0), STORY)
    whole = await answer(LlamaChatModel(threads=1, context_window=512, max_tokens=80, temperature=0.0), STORY)

    assert cut.endswith(CUT_MARK)
    kept = cut.removesuffix(CUT_MARK)
    assert kept.strip() and whole.startswith(kept)
    assert whole[len(kept)].isspace()  # the word being written when the limit fell is not shown in part


async def test_a_long_conversation_is_answered_instead_of_overflowing_the_context() -> None:
    model = LlamaChatModel(threads=1, context_window=256, max_tokens=16, temperature=0.0)
    history = tuple(turn(index, words=40) for index in range(12))

    text = await answer(model, ChatPrompt(system="Answer briefly.", history=history, message="Hello!"))

    assert text.strip()


async def test_it_loads_once_and_answers() -> None:
    model = LlamaChatModel(threads=1, context_window=512, max_tokens=24, temperature=0.0)
    assert not model.loaded
    model.load()
    model.load()
    assert model.loaded

    assert (await answer(model, QUESTION)).strip()
    assert model.running == 0 and model.in_flight == 0


async def test_one_waits_in_the_queue_and_the_next_is_busy() -> None:
    model = LlamaChatModel(threads=1, context_window=512, max_tokens=64, temperature=0.0, concurrency=1, queue=1)
    first = model.stream(STORY)
    await anext(first)
    waiting = asyncio.create_task(answer(model, QUESTION))
    await until(lambda: model.in_flight == 2)

    with pytest.raises(Busy):
        await anext(model.stream(QUESTION))
    assert not waiting.done()  # its slot is still taken by the first

    await first.aclose()
    assert (await asyncio.wait_for(waiting, 60)).strip()
    assert model.in_flight == 0 and model.running == 0


async def test_concurrent_generations_do_not_share_state() -> None:
    model = LlamaChatModel(threads=1, context_window=512, max_tokens=24, temperature=0.0, concurrency=2, queue=0)

    answers = await asyncio.gather(answer(model, QUESTION), answer(model, QUESTION))

    assert all(text.strip() for text in answers)
    assert answers[0] == answers[1]  # greedy decoding in separate sequences: no shared state
    assert model.loaded and model.running == 0


async def test_a_missing_model_file_is_unavailable() -> None:
    model = LlamaChatModel(model_path="/nonexistent/model.gguf")

    with pytest.raises(ModelUnavailable):
        model.load()
    with pytest.raises(ModelUnavailable):
        await answer(model, QUESTION)
    assert model.in_flight == 0 and model.running == 0 and not model.loaded


async def test_a_file_that_is_not_a_model_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "broken.gguf"
    path.write_bytes(b"not a gguf file")
    with pytest.raises(ModelUnavailable) as caught:
        LlamaChatModel(model_path=str(path)).load()
    assert "no se pudo cargar" in caught.value.detail

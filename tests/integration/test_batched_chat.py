"""Continuous batching in the local chat model (SmolLM2-135M through llama.cpp, run for real): several
answers decoded in one context, each sequence's KV cells its own, slots freed and reused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ova.adapters.ai.local.chat import LlamaChatModel
from ova.application.ports.chat import ChatPrompt
from ova.domain.errors import Busy, InvalidInput

SYSTEM = "Answer briefly."
QUESTION = ChatPrompt(system=SYSTEM, history=(), message="What is the capital of France?")
STORY = ChatPrompt(system="You are a storyteller.", history=(), message="Tell me a long story about a dragon.")
OTHERS = (
    ChatPrompt(system=SYSTEM, history=(), message="Name three colours."),
    ChatPrompt(system=SYSTEM, history=(), message="What is two plus two?"),
    ChatPrompt(system="You are a poet.", history=(), message="Write a line about the sea."),
)


def greedy(concurrency: int, *, max_tokens: int = 32, queue: int = 0, reuse_prefix: bool = True) -> LlamaChatModel:
    return LlamaChatModel(threads=1, context_window=512, max_tokens=max_tokens, temperature=0.0,
                          concurrency=concurrency, queue=queue, reuse_prefix=reuse_prefix)


@pytest.fixture
async def four() -> AsyncIterator[LlamaChatModel]:
    model = greedy(4)
    model.load()
    yield model
    model.close()


async def answer(model: LlamaChatModel, prompt: ChatPrompt) -> str:
    return "".join([piece async for piece in model.stream(prompt)])


async def test_concurrent_streams_all_finish_with_their_own_answers(four: LlamaChatModel) -> None:
    answers = await asyncio.gather(*(answer(four, prompt) for prompt in (QUESTION, *OTHERS)))

    assert all(len(text.split()) >= 3 for text in answers)
    assert len(set(answers)) == len(answers)  # no answer leaked into another sequence
    assert four.running == 0 and four.in_flight == 0


async def test_a_greedy_answer_is_the_same_alone_and_beside_others(four: LlamaChatModel) -> None:
    alone = await answer(greedy(1, reuse_prefix=False), QUESTION)

    async def late(prompt: ChatPrompt) -> str:  # joins while the others are generating
        await asyncio.sleep(0.05)
        return await answer(four, prompt)

    beside, *_ = await asyncio.gather(answer(four, QUESTION), answer(four, OTHERS[0]), late(OTHERS[1]), late(STORY))

    assert beside == alone


async def test_a_stream_closed_early_frees_its_sequence_for_a_correct_next_answer() -> None:
    fresh = await answer(greedy(1, max_tokens=64, reuse_prefix=False), QUESTION)
    model = greedy(1, max_tokens=64)
    stream = model.stream(STORY)
    assert (await anext(stream)).strip()
    await stream.aclose()
    assert model.running == 0 and model.in_flight == 0

    assert await answer(model, QUESTION) == fresh  # its cells were not left to the next sequence
    model.close()


async def test_a_prompt_sharing_the_cached_prefix_gets_the_same_answer_as_without_reuse() -> None:
    without = greedy(1, reuse_prefix=False)
    expected = [await answer(without, prompt) for prompt in (QUESTION, OTHERS[0], QUESTION)]
    reusing = greedy(1)

    got = [await answer(reusing, prompt) for prompt in (QUESTION, OTHERS[0], QUESTION)]

    assert got == expected
    without.close()
    reusing.close()


async def test_a_stream_beyond_sequences_and_queue_is_busy() -> None:
    model = greedy(2, max_tokens=64)
    first, second = model.stream(STORY), model.stream(STORY)
    await anext(first)
    await anext(second)

    with pytest.raises(Busy):
        await anext(model.stream(QUESTION))

    await first.aclose()
    await second.aclose()
    assert (await answer(model, QUESTION)).strip()
    model.close()


async def test_a_prompt_too_long_for_the_window_is_invalid_input() -> None:
    model = LlamaChatModel(threads=1, context_window=256, max_tokens=32, temperature=0.0)

    with pytest.raises(InvalidInput):
        await answer(model, ChatPrompt(system=SYSTEM, history=(), message="word " * 1000))
    assert model.running == 0 and model.in_flight == 0
    assert (await answer(model, QUESTION)).strip()  # the slot was given back
    model.close()


async def test_a_fresh_slot_copies_the_shared_system_prompt_from_another_and_answers_the_same() -> None:
    system = ("You are a helpful assistant for people who listen to the answers read aloud, so answer in "
              "short plain sentences without lists, tables or markdown, and always stay polite.")
    prompts = [ChatPrompt(system=system, history=(), message=text)
               for text in ("What is the capital of France?", "Name three colours.")]
    without = greedy(2, reuse_prefix=False)
    expected = [await answer(without, prompt) for prompt in prompts]
    copying = greedy(2)
    await answer(copying, prompts[0])  # slot 0 now holds the system prompt

    got = await asyncio.gather(answer(copying, prompts[0]), answer(copying, prompts[1]))  # slot 1 copies it

    assert list(got) == expected
    without.close()
    copying.close()


async def test_prompts_read_with_more_threads_give_the_same_answers() -> None:
    one = greedy(2)
    expected = [await answer(one, prompt) for prompt in (QUESTION, OTHERS[0])]
    more = LlamaChatModel(threads=1, prompt_threads=2, context_window=512, max_tokens=32, temperature=0.0,
                          concurrency=2, queue=0)

    got = [await answer(more, prompt) for prompt in (QUESTION, OTHERS[0])]
    together = await asyncio.gather(answer(more, QUESTION), answer(more, OTHERS[0]))

    assert got == expected
    assert list(together) == expected
    one.close()
    more.close()

"""The OpenAI-compatible chat adapter (Hugging Face's router, vLLM, llama.cpp server, Ollama) against a
local server that streams the real server-sent events, and the chat fallback to the local model."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.fallback import Fallback, with_fallback
from ova.adapters.ai.openai_chat import OpenAICompatibleChatModel, sse_data
from ova.adapters.ai.resilience import CircuitBreaker
from ova.application.ports.chat import ChatModel, ChatPrompt
from ova.domain.chat import Speaker, Turn
from ova.domain.errors import ModelUnavailable
from tests.fakes.chat_server import ANSWER, FakeChatServer, Streamed, answer, error_reply, words
from tests.fakes.hf_server import Reply, hang
from tests.fakes.resilience import Clock, Sleeps
from tests.fakes.served import fresh, served

KEY = "sk-test"
MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
AT = datetime(2025, 1, 1, tzinfo=UTC)
PROMPT = ChatPrompt(
    system="Eres OVA.",
    history=(Turn(Speaker.USER, "hola", AT), Turn(Speaker.ASSISTANT, "¡Hola! ¿En qué te ayudo?", AT)),
    message="What is the capital of France?",
)


server = served(FakeChatServer)


@pytest.fixture
def fake(server: tuple[FakeChatServer, str]) -> FakeChatServer:
    return fresh(server[0], KEY)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A pool of one connection, so a stream closed early that kept its connection would block the next call."""
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as client:
        yield client


def make_chat(base: str, http: httpx.AsyncClient, clock: Clock, sleep: Sleeps | None, *, key: str | None = KEY,
              timeout_s: float = 5.0) -> OpenAICompatibleChatModel:
    breaker = CircuitBreaker("El servidor de chat", failure_threshold=2, reset_after_s=30.0, clock=clock)
    return OpenAICompatibleChatModel(f"{base}/v1/", key, MODEL, http=http, timeout_s=timeout_s, breaker=breaker,
                                     max_tokens=64, temperature=0.2, sleep=sleep or asyncio.sleep)


@pytest.fixture
def chat(server: tuple[FakeChatServer, str], http: httpx.AsyncClient, clock: Clock,
         sleeps: Sleeps) -> OpenAICompatibleChatModel:
    return make_chat(server[1], http, clock, sleeps)


def chat_with_fallback(remote: ChatModel, local: ChatModel) -> ChatModel:
    return with_fallback(ChatModel, remote, local)


async def collect(chat: ChatModel, prompt: ChatPrompt = PROMPT) -> list[str]:
    return [piece async for piece in chat.stream(prompt)]


async def until_failure(stream: AsyncIterator[str]) -> tuple[str, Exception | None]:
    """What arrived before the stream failed, and the failure."""
    received: list[str] = []
    try:
        async for piece in stream:
            received.append(piece)
    except Exception as exc:
        return "".join(received), exc
    return "".join(received), None


async def eventually(condition: Callable[[], bool], timeout_s: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def test_pieces_stream_in_order_skipping_comments_roles_and_empty_deltas(
    fake: FakeChatServer, chat: OpenAICompatibleChatModel,
) -> None:
    assert await collect(chat) == list(words(ANSWER))
    assert chat.breaker.state == "closed"


async def test_the_request_is_an_openai_chat_completion_with_bearer_auth(
    fake: FakeChatServer, chat: OpenAICompatibleChatModel,
) -> None:
    await collect(chat)

    request = fake.requests[-1]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["accept"] == "text/event-stream"
    assert fake.payload() == {
        "model": MODEL, "stream": True, "max_tokens": 64, "temperature": 0.2,
        "messages": [
            {"role": "system", "content": "Eres OVA."},
            {"role": "user", "content": "hola"},
            {"role": "assistant", "content": "¡Hola! ¿En qué te ayudo?"},
            {"role": "user", "content": "What is the capital of France?"},
        ],
    }


async def test_without_a_key_no_authorization_header_is_sent(
    fake: FakeChatServer, server: tuple[FakeChatServer, str], http: httpx.AsyncClient, clock: Clock,
) -> None:
    fake.api_key = None
    await collect(make_chat(server[1], http, clock, None, key=None))
    assert "authorization" not in fake.requests[-1].headers


async def test_a_rejected_key_is_unavailable_at_once_and_counts_against_the_breaker(
    fake: FakeChatServer, server: tuple[FakeChatServer, str], http: httpx.AsyncClient, clock: Clock,
) -> None:
    chat = make_chat(server[1], http, clock, None, key="sk-wrong")

    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)

    assert "401" in caught.value.detail and "clave" in caught.value.detail
    assert len(fake.requests) == 1
    with pytest.raises(ModelUnavailable):
        await collect(chat)
    assert chat.breaker.state == "open"


async def test_an_unknown_model_is_unavailable_without_retries(fake: FakeChatServer,
                                                               chat: OpenAICompatibleChatModel) -> None:
    fake.script(error_reply(404, "The model does not exist"))
    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)
    assert "404" in caught.value.detail
    assert len(fake.requests) == 1


async def test_server_errors_before_the_first_piece_are_retried(fake: FakeChatServer, chat: OpenAICompatibleChatModel,
                                                                sleeps: Sleeps) -> None:
    fake.script(error_reply(503), error_reply(502), answer())

    assert "".join(await collect(chat)) == ANSWER
    assert len(fake.requests) == 3
    assert len(sleeps.waits) == 2
    assert chat.breaker.state == "closed"


async def test_retry_after_is_honoured(fake: FakeChatServer, chat: OpenAICompatibleChatModel, sleeps: Sleeps) -> None:
    fake.script(error_reply(429, "rate limited", **{"Retry-After": "2"}), answer())

    assert "".join(await collect(chat)) == ANSWER
    assert sleeps.waits == [2.0]


async def test_a_retry_after_beyond_the_deadline_gives_up_at_once_with_the_hint(
    fake: FakeChatServer, chat: OpenAICompatibleChatModel, sleeps: Sleeps,
) -> None:
    fake.script(error_reply(429, "rate limited", **{"Retry-After": "60"}))

    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)

    assert len(fake.requests) == 1 and sleeps.waits == []
    assert caught.value.retry_after_s == 60


async def test_server_errors_that_persist_become_unavailable(fake: FakeChatServer,
                                                             chat: OpenAICompatibleChatModel) -> None:
    fake.script(error_reply(500))
    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)
    assert "500" in caught.value.detail
    assert len(fake.requests) == 3


async def test_a_refused_request_shows_the_providers_reason_and_does_not_trip_the_breaker(
    fake: FakeChatServer, chat: OpenAICompatibleChatModel,
) -> None:
    fake.script(error_reply(400, "max_tokens is too large"))

    for _ in range(3):
        with pytest.raises(ModelUnavailable) as caught:
            await collect(chat)

    assert "400" in caught.value.detail and "max_tokens is too large" in caught.value.detail
    assert len(fake.requests) == 3  # one each: not retried
    assert chat.breaker.state == "closed"  # the provider is alive; the request was wrong


async def test_an_error_event_before_any_piece_is_unavailable(fake: FakeChatServer,
                                                              chat: OpenAICompatibleChatModel) -> None:
    fake.script(Streamed((), error="CUDA out of memory", finish=False, done=False))
    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)
    assert "CUDA out of memory" in caught.value.detail


@pytest.mark.parametrize("failure", [
    Streamed(words(ANSWER), error="worker died", finish=False, done=False),
    Streamed(words(ANSWER), finish=False, done=False),  # the body just stops
    Streamed(words(ANSWER), drop=True),  # the connection breaks
], ids=["error-event", "truncated", "dropped"])
async def test_a_failure_after_pieces_ends_the_stream_without_a_retry(
    failure: Streamed, fake: FakeChatServer, chat: OpenAICompatibleChatModel,
) -> None:
    fake.script(failure, answer("should never be asked for"))

    received, error = await until_failure(chat.stream(PROMPT))

    assert isinstance(error, ModelUnavailable)
    assert received == ANSWER
    assert len(fake.requests) == 1
    assert chat.breaker._failures == 1


async def test_a_truncated_answer_before_any_piece_is_retried(fake: FakeChatServer,
                                                              chat: OpenAICompatibleChatModel) -> None:
    fake.script(Streamed((), finish=False, done=False), answer())
    assert "".join(await collect(chat)) == ANSWER
    assert len(fake.requests) == 2


@pytest.mark.parametrize("ending", [
    Streamed(words(ANSWER), done=False), Streamed(words(ANSWER), finish=False),
], ids=["finish-reason-only", "done-only"])
async def test_either_a_finish_reason_or_done_ends_the_answer(ending: Streamed, fake: FakeChatServer,
                                                             chat: OpenAICompatibleChatModel) -> None:
    fake.script(ending)
    assert "".join(await collect(chat)) == ANSWER
    assert len(fake.requests) == 1


async def test_an_empty_answer_is_no_pieces(fake: FakeChatServer, chat: OpenAICompatibleChatModel) -> None:
    fake.script(Streamed(()))
    assert await collect(chat) == []
    assert chat.breaker.state == "closed"


async def test_a_server_that_ignores_stream_answers_in_one_piece(fake: FakeChatServer,
                                                                 chat: OpenAICompatibleChatModel) -> None:
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}]}
    fake.script(Reply(body=json.dumps(body).encode()))
    assert await collect(chat) == [ANSWER]


async def test_an_unreadable_event_is_unavailable(fake: FakeChatServer, chat: OpenAICompatibleChatModel) -> None:
    fake.script(Reply(body=b"data: {not json\n\n", content_type="text/event-stream"))
    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)
    assert "no se entiende" in caught.value.detail


async def test_a_hang_becomes_unavailable_within_the_timeout(
    fake: FakeChatServer, server: tuple[FakeChatServer, str], http: httpx.AsyncClient, clock: Clock,
) -> None:
    fake.script(hang(5))
    chat = make_chat(server[1], http, clock, None, timeout_s=0.3)
    started = time.monotonic()

    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)

    assert time.monotonic() - started < 2
    assert "0.3 s" in caught.value.detail


async def test_nothing_listening_is_retried_then_unavailable(http: httpx.AsyncClient, clock: Clock,
                                                             sleeps: Sleeps) -> None:
    chat = make_chat("http://127.0.0.1:9", http, clock, sleeps)
    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)
    assert "conectar" in caught.value.detail
    assert len(sleeps.waits) == 2


async def test_the_breaker_opens_fails_fast_and_recovers(fake: FakeChatServer, chat: OpenAICompatibleChatModel,
                                                         clock: Clock) -> None:
    fake.script(error_reply(500))
    for _ in range(2):
        with pytest.raises(ModelUnavailable):
            await collect(chat)
    asked = len(fake.requests)
    assert chat.breaker.state == "open"

    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)
    assert len(fake.requests) == asked  # failed fast, nothing sent
    assert "demasiados fallos" in caught.value.detail

    clock.now += 30
    fake.script(answer())
    assert "".join(await collect(chat)) == ANSWER
    assert chat.breaker.state == "closed"


async def test_closing_early_closes_the_response_and_frees_the_connection(
    fake: FakeChatServer, chat: OpenAICompatibleChatModel,
) -> None:
    fake.script(answer("word " * 100, delay_s=0.02), answer())
    stream = chat.stream(PROMPT)
    assert await anext(stream) == "word "

    await stream.aclose()

    assert await eventually(lambda: fake.sending == 0)
    assert fake.closed_early == 1
    assert "".join(await collect(chat)) == ANSWER  # the one pooled connection is free again


async def test_sse_data_joins_multi_line_events_and_skips_other_fields() -> None:
    async def lines() -> AsyncIterator[str]:
        for line in [": comment", "event: message", "id: 7", "data:{\"a\":", "data:  1}", "", "", "retry: 5",
                     "data: [DONE]"]:
            yield line

    assert [data async for data in sse_data(lines())] == ['{"a":\n 1}', "[DONE]"]


async def test_fallback_answers_with_the_local_model_when_the_remote_is_down(
    fake: FakeChatServer, chat: OpenAICompatibleChatModel,
) -> None:
    fake.script(error_reply(500))
    local = FakeChatModel()
    both = chat_with_fallback(chat, local)
    assert isinstance(both, Fallback)

    assert "".join(await collect(both)) == f"Respuesta a: {PROMPT.message}"
    assert list(local.prompts) == [PROMPT]
    assert both.breaker is chat.breaker and both.model == MODEL


async def test_fallback_keeps_the_remote_answer_when_it_works(fake: FakeChatServer,
                                                              chat: OpenAICompatibleChatModel) -> None:
    local = FakeChatModel()
    assert "".join(await collect(chat_with_fallback(chat, local))) == ANSWER
    assert not local.prompts


async def test_fallback_does_not_glue_a_second_answer_after_remote_pieces(
    fake: FakeChatServer, chat: OpenAICompatibleChatModel,
) -> None:
    fake.script(Streamed(words(ANSWER), drop=True))
    local = FakeChatModel()

    received, error = await until_failure(chat_with_fallback(chat, local).stream(PROMPT))

    assert isinstance(error, ModelUnavailable)
    assert received == ANSWER
    assert not local.prompts


async def test_closing_the_fallback_early_closes_the_remote_stream(fake: FakeChatServer,
                                                                   chat: OpenAICompatibleChatModel) -> None:
    fake.script(answer("word " * 100, delay_s=0.02), answer())
    stream = chat_with_fallback(chat, FakeChatModel()).stream(PROMPT)
    await anext(stream)

    await stream.aclose()

    assert "".join(await collect(chat)) == ANSWER


async def test_a_server_that_refuses_connections_reads_as_a_sentence(http: httpx.AsyncClient, clock: Clock) -> None:
    """The provider's name starts most messages ("El servidor de chat no respondió…"); inside one it
    keeps a small article: "No se pudo conectar con el servidor de chat", not "con El servidor"."""
    chat = make_chat("http://127.0.0.1:9", http, clock, None)  # the discard port: nothing listens

    with pytest.raises(ModelUnavailable) as caught:
        await collect(chat)

    assert caught.value.detail.startswith("No se pudo conectar con el servidor de chat")

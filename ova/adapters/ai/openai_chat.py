"""Chat through any OpenAI-compatible ``/chat/completions`` endpoint with ``"stream": true``: Hugging
Face's router, vLLM, the llama.cpp server, Ollama.

The answer arrives as server-sent events: ``data: {json}`` lines whose ``choices[0].delta.content``
are the pieces, ending with ``data: [DONE]``. Comments (``: keep-alive``), other fields, role-only and
empty deltas are skipped; an ``{"error": ...}`` event is a failure.

Resilience (the policy of ``ova.adapters.ai.resilience``): until the first piece arrives the call is
retried as any remote call (connection errors, 408/429/5xx, ``Retry-After`` honoured, all within
``timeout_s``), and the breaker then records a success. Once a piece has been handed to the consumer
nothing is repeated (the user has seen it): a failure ends the stream with ``ModelUnavailable`` and
counts against the breaker. After the first piece each read may wait up to ``timeout_s``. Closing the
stream early (``aclose()``, cancellation) closes the HTTP response, so the connection is freed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import httpx

from ova.adapters.ai.reachability import CachedReachability, answers_http
from ova.adapters.ai.resilience import CircuitBreaker, RemoteCallError, call_with_resilience
from ova.application.ports.chat import ChatPrompt
from ova.domain.chat import Speaker
from ova.domain.errors import DomainError, ModelUnavailable

USER_AGENT = "ova/0.1 (+https://github.com/ova)"
DONE = "[DONE]"


class OpenAICompatibleChatModel:
    """``base_url`` is the API prefix (``https://router.huggingface.co/v1``, ``http://host:11434/v1``);
    ``model`` the remote model name; ``http`` is shared and owned by the caller."""

    def __init__(
        self, base_url: str, api_key: str | None, model: str, *, http: httpx.AsyncClient, timeout_s: float,
        breaker: CircuitBreaker, max_tokens: int = 256, temperature: float = 0.3, max_attempts: int = 3,
        base_delay_s: float = 0.5, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic, probe_ttl_s: float = 5.0,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/chat/completions"
        self.models_url = f"{base_url.rstrip('/')}/models"
        self.api_key = api_key or None
        self._model = model
        self.http = http
        self.timeout_s = timeout_s
        self.breaker = breaker
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._max_attempts = max_attempts
        self._base_delay_s = base_delay_s
        self._sleep = sleep
        self._clock = clock
        self._reachability = CachedReachability(self._ping, provider=breaker.name, ttl_s=probe_ttl_s, clock=clock)

    @property
    def model(self) -> str:
        return self._model

    async def reachable(self) -> float:
        """Whether the server answers (``GET {base}/models``, which every OpenAI-compatible server
        serves cheaply), checked at most once per ``probe_ttl_s``: the round trip in milliseconds, or
        ``ModelUnavailable``. It runs no model and leaves the breaker alone."""
        return await self._reachability.check()

    async def _ping(self) -> None:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        await answers_http(self.http, self.models_url, provider=self.breaker.name, headers=headers)

    def payload(self, prompt: ChatPrompt) -> dict[str, Any]:
        return {
            "model": self._model, "messages": messages_of(prompt), "stream": True,
            "max_tokens": self.max_tokens, "temperature": self.temperature,
        }

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/event-stream", "Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    async def stream(self, prompt: ChatPrompt) -> AsyncGenerator[str, None]:
        body = json.dumps(self.payload(prompt)).encode()

        async def attempt() -> _OpenStream:  # an ``async def``: tenacity would not await a lambda's coroutine
            return await self._open(body)

        opened = await call_with_resilience(
            attempt, breaker=self.breaker, timeout_s=self.timeout_s,
            max_attempts=self._max_attempts, base_delay_s=self._base_delay_s, sleep=self._sleep, clock=self._clock,
        )
        try:
            if opened.first is None:
                return
            yield opened.first
            while True:
                try:
                    piece = await anext(opened.pieces)
                except StopAsyncIteration:
                    return
                except Exception as exc:  # pieces were already shown: no retry, the answer ends here
                    self.breaker.record_failure()
                    detail = exc.detail if isinstance(exc, RemoteCallError | DomainError) else (
                        f"{self.breaker.name} cortó la respuesta a medias.")
                    raise ModelUnavailable(detail) from exc
                yield piece
        finally:
            await opened.aclose()

    async def _open(self, body: bytes) -> _OpenStream:
        """One attempt: sends the request and reads up to the first piece (or the end)."""
        request = self.http.build_request(
            "POST", self.url, content=body, headers=self.headers(),
            timeout=httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s)),
        )
        response = await self.http.send(request, stream=True)
        opened = _OpenStream(response, _pieces(response, self.breaker.name))
        try:
            if not response.is_success:
                await response.aread()
                raise status_error(response, self.breaker.name)
            opened.first = await anext(opened.pieces, None)
        except BaseException:
            await opened.aclose()
            raise
        return opened


@attrs.define
class _OpenStream:
    response: httpx.Response
    pieces: AsyncGenerator[str, None]
    first: str | None = None

    async def aclose(self) -> None:
        try:
            await self.pieces.aclose()
        finally:
            await self.response.aclose()


def messages_of(prompt: ChatPrompt) -> list[dict[str, str]]:
    """``[system, *history as user/assistant, user]``; an empty system prompt is left out."""
    messages = [{"role": "system", "content": prompt.system}] if prompt.system else []
    messages += [
        {"role": "user" if turn.speaker is Speaker.USER else "assistant", "content": turn.text}
        for turn in prompt.history
    ]
    messages.append({"role": "user", "content": prompt.message})
    return messages


async def _pieces(response: httpx.Response, provider: str) -> AsyncGenerator[str, None]:
    """The text pieces of a streamed answer (or of a plain JSON answer, from a server that ignores
    ``stream``). Raises ``RemoteCallError`` for an error event, an unreadable event or an answer that
    stops before its end."""
    if "text/event-stream" not in response.headers.get("content-type", "text/event-stream"):
        await response.aread()
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise malformed(provider) from exc
        if isinstance(content, str) and content:
            yield content
        return
    finished = False
    async for data in sse_data(response.aiter_lines()):
        if data.strip() == DONE:
            return
        piece, ended = parse_chunk(data, provider)
        finished = finished or ended
        if piece:
            yield piece
    if not finished:
        raise RemoteCallError(f"{provider} cortó la respuesta antes de terminarla.", retryable=True)


async def sse_data(lines: AsyncIterator[str]) -> AsyncGenerator[str, None]:
    """The ``data`` of each server-sent event (multi-line data joined by ``\\n``); comments, ``event``,
    ``id`` and ``retry`` fields are skipped."""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value.removeprefix(" "))
    if data:
        yield "\n".join(data)


def parse_chunk(data: str, provider: str) -> tuple[str, bool]:
    """The text of one ``chat.completion.chunk`` (``""`` for a role-only, empty or usage chunk) and
    whether it carries a ``finish_reason``."""
    try:
        chunk = json.loads(data)
    except ValueError as exc:
        raise malformed(provider) from exc
    if not isinstance(chunk, dict):
        raise malformed(provider)
    if "error" in chunk:
        raise RemoteCallError(f"{provider} falló al generar la respuesta: {error_message(chunk)}")
    choices = chunk.get("choices") or []
    if not isinstance(choices, list) or not choices:
        return "", False
    choice = choices[0]
    if not isinstance(choice, dict):
        raise malformed(provider)
    delta = choice.get("delta") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    return (content if isinstance(content, str) else ""), bool(choice.get("finish_reason"))


def status_error(response: httpx.Response, provider: str) -> Exception:
    """The error for a non-2xx answer: ``ModelUnavailable`` for configuration errors (key, model
    name), a retryable ``RemoteCallError`` for 408/429/5xx, a final one for other 4xx."""
    status = response.status_code
    reason = error_message(_json_or_none(response))
    if status in (401, 403):
        return ModelUnavailable(
            f"{provider} rechazó la autenticación ({status}): la clave de API falta o no es válida.", retry_after_s=60
        )
    if status == 404:
        return ModelUnavailable(f"{provider} no encuentra el modelo (404): revisa el nombre y la URL.", 60)
    if status in (408, 429) or status >= 500:
        return RemoteCallError(
            f"{provider} no está disponible ahora ({status}).", status=status, retryable=True,
            retry_after_s=retry_after(response),
        )
    detail = f"{provider} rechazó la petición ({status})" + (f": {reason}" if reason else ".")
    return RemoteCallError(detail, status=status, counts_as_failure=False)


def error_message(body: Any) -> str:
    """The provider's own words from ``{"error": "..."}`` or ``{"error": {"message": "..."}}``."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        error = error.get("message")
    return error.strip()[:200] if isinstance(error, str) else ""


def retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def malformed(provider: str) -> RemoteCallError:
    return RemoteCallError(f"{provider} devolvió una respuesta que no se entiende.")


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None

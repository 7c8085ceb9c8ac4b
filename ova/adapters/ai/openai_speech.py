"""Text to speech on any OpenAI-compatible speech server (``TTS_PROVIDER=openai-compatible``):
speaches, Kokoro-FastAPI, LocalAI, vLLM, OpenAI.

The request is ``POST {base}/audio/speech`` with the JSON body
``{"model": ..., "input": <text>, "voice": ..., "response_format": "wav"}``; the answer is the WAV
file itself. The voice is the one asked for, else the language's own (``voices_by_language``: one
voice per language, ``TTS_REMOTE_VOICE_ES`` and ``TTS_REMOTE_VOICE_EN``), so the server speaks
Spanish with a Spanish voice; the voices offered are exactly those.

The answer must be a RIFF/WAVE file with sound in it: anything else is a malformed answer
(``ModelUnavailable`` "no se entiende", never retried). It is decoded (PyAV: any sample format,
channels, or a streamed WAV whose header has no length) and returned as the port's 16-bit mono WAV
at the server's own sample rate. Resilience is the remote adapters' policy
(``ova.adapters.ai.resilience``), the status mapping the chat adapter's.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping

import httpx

from ova.adapters.ai.huggingface.speech import to_wav
from ova.adapters.ai.local.speech import check_language, check_voice
from ova.adapters.ai.openai_chat import USER_AGENT, malformed, status_error
from ova.adapters.ai.resilience import CircuitBreaker, call_with_resilience
from ova.domain.errors import UnreadableMedia
from ova.domain.speech import Speech


class OpenAICompatibleTextToSpeech:
    """``base_url`` is the API prefix (``http://host:8000/v1``); ``model`` the speech model's name on
    that server; ``voices_by_language``: the voice each language (``es``, ``en``) speaks with when none
    is asked; ``http`` is shared and owned by the caller."""

    def __init__(
        self, base_url: str, api_key: str | None, model: str, *, voices_by_language: Mapping[str, str],
        http: httpx.AsyncClient, timeout_s: float, breaker: CircuitBreaker, max_attempts: int = 3,
        base_delay_s: float = 0.5, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/audio/speech"
        self.api_key = api_key or None
        self._model = model
        self.voices_by_language = dict(voices_by_language)
        self.http = http
        self.timeout_s = timeout_s
        self.breaker = breaker
        self._max_attempts = max_attempts
        self._base_delay_s = base_delay_s
        self._sleep = sleep
        self._clock = clock

    @property
    def model(self) -> str:
        return self._model

    @property
    def voices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.voices_by_language.values()))

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "audio/wav", "Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        check_voice(voice, self.voices)
        check_language(language)
        spoken_by = voice or self.voices_by_language[language]
        body = json.dumps({"model": self._model, "input": text, "voice": spoken_by, "response_format": "wav"}).encode()

        async def attempt() -> Speech:
            response = await self.http.post(
                self.url, content=body, headers=self.headers(),
                timeout=httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s)),
            )
            if not response.is_success:
                raise status_error(response, self.breaker.name)
            return await asyncio.to_thread(speech_of, response.content, self.breaker.name)

        return await call_with_resilience(
            attempt, breaker=self.breaker, timeout_s=self.timeout_s, max_attempts=self._max_attempts,
            base_delay_s=self._base_delay_s, sleep=self._sleep, clock=self._clock,
        )


def speech_of(data: bytes, provider: str) -> Speech:
    """The server's WAV as the port's 16-bit mono WAV; a body that is not a WAV with sound in it is
    a malformed answer (``RemoteCallError``). Blocking: call it from a worker thread."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise malformed(provider)
    try:
        return to_wav(data)
    except UnreadableMedia as exc:
        raise malformed(provider) from exc

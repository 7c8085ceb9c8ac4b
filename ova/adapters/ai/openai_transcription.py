"""Speech to text on any OpenAI-compatible transcription server (``STT_PROVIDER=openai-compatible``):
vLLM, speaches (faster-whisper-server), LocalAI, OpenAI.

The request is a multipart ``POST {base}/audio/transcriptions`` with the fields ``file`` (the note as
received, named for its format: OpenAI tells the format by the file name's extension), ``model``,
``language`` (``es`` or ``en``; left out for ``auto``, so that the server detects it) and
``response_format=json``; the answer is ``{"text": ...}``. ``json`` is the one format every such
server accepts; it does not say the language, so an ``auto`` note is heard as ``und``
(undetermined) unless the answer carries a ``language`` (some servers add it).

The note is opened here first (PyAV): bytes that are not audio are ``UnreadableMedia`` before any
request, and the duration is measured. A note in a format the magic bytes do not tell (and the server
might not take) is sent as the WAV of its decoded 16 kHz mono samples instead.

Nothing heard is an empty text (the port's rule; the use case makes it ``NoSpeech``). Resilience is
the remote adapters' policy (``ova.adapters.ai.resilience``), the status mapping the chat adapter's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ova.adapters.ai.audio import SAMPLE_RATE, decode_to_mono16k, wav_bytes
from ova.adapters.ai.huggingface.speech import audio_duration, content_type
from ova.adapters.ai.openai_chat import USER_AGENT, malformed, status_error
from ova.adapters.ai.resilience import CircuitBreaker, call_with_resilience
from ova.domain.speech import AudioClip, SpeechLanguage, Transcript

FILE_NAMES = {"audio/wav": "note.wav", "audio/ogg": "note.ogg", "audio/webm": "note.webm",
              "audio/flac": "note.flac", "audio/mpeg": "note.mp3", "audio/mp4": "note.m4a"}
"""The name the note is sent under, by the type its bytes announce."""
LANGUAGE_NAMES = {"spanish": "es", "english": "en"}
"""OpenAI's ``verbose_json`` names the language in English words; others give the ISO 639-1 code."""


class OpenAICompatibleSpeechToText:
    """``base_url`` is the API prefix (``http://host:8000/v1``); ``model`` the transcription model's
    name on that server; ``http`` is shared and owned by the caller."""

    def __init__(
        self, base_url: str, api_key: str | None, model: str, *, http: httpx.AsyncClient, timeout_s: float,
        breaker: CircuitBreaker, max_attempts: int = 3, base_delay_s: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/audio/transcriptions"
        self.api_key = api_key or None
        self._model = model
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

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def fields(self, language: SpeechLanguage) -> dict[str, str]:
        """The form fields besides the file."""
        fields = {"model": self._model, "response_format": "json"}
        if language is not SpeechLanguage.AUTO:
            fields["language"] = language.value
        return fields

    async def transcribe(self, clip: AudioClip, *, language: SpeechLanguage) -> Transcript:
        asked = SpeechLanguage(language)
        name, data, kind, duration = await asyncio.to_thread(prepared, clip.data)
        fields = self.fields(asked)

        async def attempt() -> tuple[str, str | None]:
            response = await self.http.post(
                self.url, data=fields, files={"file": (name, data, kind)}, headers=self.headers(),
                timeout=httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s)),
            )
            if not response.is_success:
                raise status_error(response, self.breaker.name)
            return transcription_of(response, self.breaker.name)

        text, heard = await call_with_resilience(
            attempt, breaker=self.breaker, timeout_s=self.timeout_s, max_attempts=self._max_attempts,
            base_delay_s=self._base_delay_s, sleep=self._sleep, clock=self._clock,
        )
        used = asked.value if asked is not SpeechLanguage.AUTO else heard or "und"
        return Transcript(text=text, language=used, duration_s=round(duration, 3))


def prepared(data: bytes) -> tuple[str, bytes, str, float]:
    """``(file name, bytes, content type, seconds)`` of what is sent for the note ``data``; raises
    ``UnreadableMedia`` when it is not audio. Blocking: call it from a worker thread."""
    kind = sniffed(data)
    if kind in FILE_NAMES:
        return FILE_NAMES[kind], data, kind, audio_duration(data)
    samples = decode_to_mono16k(data)
    return FILE_NAMES["audio/wav"], wav_bytes(samples, SAMPLE_RATE), "audio/wav", samples.size / SAMPLE_RATE


def sniffed(data: bytes) -> str:
    """The audio type the bytes announce (M4A/MP4 by its ``ftyp`` box), else ``application/octet-stream``."""
    return "audio/mp4" if data[4:8] == b"ftyp" else content_type(data)


def transcription_of(response: httpx.Response, provider: str) -> tuple[str, str | None]:
    """``(text stripped, the language the answer names as es/en or None)``; a body without a text
    string is a malformed answer (``RemoteCallError``)."""
    try:
        body: Any = response.json()
        text = body["text"]
    except (ValueError, KeyError, TypeError) as exc:
        raise malformed(provider) from exc
    if not isinstance(text, str):
        raise malformed(provider)
    named = body.get("language")
    code = LANGUAGE_NAMES.get(named.strip().lower(), named.strip().lower()) if isinstance(named, str) else None
    return text.strip(), code if code in ("es", "en") else None

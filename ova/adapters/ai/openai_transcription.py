"""Speech to text on any OpenAI-compatible transcription server (``STT_PROVIDER=openai-compatible``):
vLLM, speaches (faster-whisper-server), LocalAI, OpenAI.

The request is a multipart ``POST {base}/audio/transcriptions`` with the fields ``file`` (the note as
received, named for its format: OpenAI tells the format by the file name's extension), ``model``,
``language`` and ``response_format``. When the language is asked (``es`` or ``en``) the format is
``json``, the one every such server accepts, and the answer ``{"text": ...}`` is in that language.
For ``auto`` the language is left out, so that the server detects it, and the format is
``verbose_json``, whose answer also names the language heard: OpenAI's ``whisper-1`` in English words
(``"spanish"``), speaches as an ISO 639-1 code (``"es"``); either becomes ``es`` or ``en``, and any
other language, or none named, is ``und`` (undetermined). vLLM's ``verbose_json`` repeats the language
it was asked, so an ``auto`` note on vLLM is ``und`` either way.

Some servers or models have no ``verbose_json`` (OpenAI's ``gpt-4o-transcribe``, older vLLM, vLLM
models without timestamps) and refuse it with a 400 or 422 that names the format. The same note is
then asked again at once as ``json`` and heard as ``und`` unless that answer names a language; the
adapter remembers the refusal, so later ``auto`` notes go as ``json`` from the start (one request,
not two) until the process restarts.

The note is opened here first (PyAV): bytes that are not audio are ``UnreadableMedia`` before any
request, and the duration is measured. A note in a format the magic bytes do not tell (and the server
might not take) is sent as the WAV of its decoded 16 kHz mono samples instead.

Nothing heard is an empty text (the port's rule; the use case makes it ``NoSpeech``). Resilience is
the remote adapters' policy (``ova.adapters.ai.resilience``), the status mapping the chat adapter's;
the second request after a refusal belongs to the same attempt, inside the same deadline.
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
LANGUAGE_NAMES = {"spanish": "es", "castilian": "es", "english": "en"}
"""OpenAI's ``verbose_json`` names the language in English words (Whisper's names); others give the
ISO 639-1 code."""
PLAIN, VERBOSE = "json", "verbose_json"
REFUSAL_STATUSES = (400, 422)
"""How servers refuse a format they lack: 400 (OpenAI, vLLM) or 422 (a FastAPI server's validation)."""


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
        self._verbose_refused = False

    @property
    def model(self) -> str:
        return self._model

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def fields(self, language: SpeechLanguage) -> dict[str, str]:
        """The form fields besides the file: ``verbose_json`` only where it tells something (``auto``)
        and the server has not refused it."""
        if language is not SpeechLanguage.AUTO:
            return {"model": self._model, "response_format": PLAIN, "language": language.value}
        return {"model": self._model, "response_format": PLAIN if self._verbose_refused else VERBOSE}

    async def transcribe(self, clip: AudioClip, *, language: SpeechLanguage) -> Transcript:
        asked = SpeechLanguage(language)
        name, data, kind, duration = await asyncio.to_thread(prepared, clip.data)

        async def post(fields: dict[str, str]) -> httpx.Response:
            return await self.http.post(
                self.url, data=fields, files={"file": (name, data, kind)}, headers=self.headers(),
                timeout=httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s)),
            )

        async def attempt() -> tuple[str, str | None]:
            fields = self.fields(asked)
            response = await post(fields)
            if fields["response_format"] == VERBOSE and refuses_verbose_json(response):
                self._verbose_refused = True
                response = await post(self.fields(asked))
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


def refuses_verbose_json(response: httpx.Response) -> bool:
    """Whether the answer refuses the ``verbose_json`` format: a 400 or 422 whose body names it or the
    ``response_format`` field (any other refusal is about the request itself and stays an error)."""
    if response.status_code not in REFUSAL_STATUSES:
        return False
    body = response.text.lower()
    return VERBOSE in body or "response_format" in body


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
    return text.strip(), language_code(body.get("language"))


def language_code(named: object) -> str | None:
    """``es`` or ``en`` for a language an answer names as a word (``"Spanish"``), a code (``"es"``) or a
    tag (``"es-ES"``); ``None`` for any other language or anything else."""
    if not isinstance(named, str):
        return None
    word = named.strip().lower().replace("_", "-").split("-")[0]
    code = LANGUAGE_NAMES.get(word, word)
    return code if code in ("es", "en") else None

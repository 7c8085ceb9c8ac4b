"""A stand-in for an OpenAI-compatible speech server (speaches/faster-whisper-server, vLLM, LocalAI,
OpenAI): ``POST /v1/audio/transcriptions`` (multipart) and ``POST /v1/audio/speech`` (JSON), answered
as speaches and OpenAI answer, scripted per test, recording every request.

It checks the request shape as a strict server would and answers 400 (OpenAI's error body) when it
is wrong. A transcription needs a ``file`` part whose name has an audio extension OpenAI accepts and
whose bytes are not empty, a ``model``, a ``response_format`` of ``json``, ``text`` or
``verbose_json`` and, if there is one, a two-letter ``language``; ``forms`` keeps each good request's
fields, with the file as ``(name, content type, bytes)`` under ``"file"``. A speech request needs the
JSON body ``{"model", "input", "voice"}`` as non-empty strings and ``"response_format": "wav"`` (the
only format this fake makes); ``payloads`` keeps each good one.

``script(path, *replies)`` queues answers for ``TRANSCRIPTIONS`` or ``SPEECH`` (``Reply`` from
``tests.fakes.hf_server``, or ``transcript(...)``, ``verbose_transcript(...)``, ``wav(...)``); the last
one repeats, whatever format was asked. Without a script a transcription is ``TRANSCRIPT`` in the
format asked: ``json`` is ``{"text"}``; ``verbose_json`` names the language as ``verbose_style`` says
(``"openai"``: Whisper's English word, ``"spanish"``; ``"speaches"``: the ISO code, ``"es"``;
``"vllm"``: the language asked, ``null`` when none was) and the language heard is the one asked, else
``detects``. A server without ``verbose_json`` sets ``verbose_refusal`` (one of ``REFUSALS``): every
``verbose_json`` request then gets that answer before any script is read. Speech without a script is
a tone of ``spoken_seconds(input)``. Serve it
with ``running(fake)`` or ``served`` (from ``tests.fakes.served``).
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import threading
import wave
from typing import Any, Literal

import numpy as np
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.hf_server import Recorded, Reply

TRANSCRIPTIONS = "/v1/audio/transcriptions"
SPEECH = "/v1/audio/speech"
TRANSCRIPT = "¿Qué tiempo hace hoy en Madrid?"
AUDIO_EXTENSIONS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
"""The file name extensions OpenAI's transcription endpoint accepts."""
FORM_FIELDS = frozenset({"model", "language", "response_format", "prompt", "temperature"})
RATE = 24_000
"""Kokoro's sample rate, what speaches answers speech with."""


def transcript(text: Any, **extra: Any) -> Reply:
    """A transcription answer: ``{"text": text, ...extra}``."""
    return Reply(body=json.dumps({"text": text, **extra}).encode())


VerboseStyle = Literal["openai", "speaches", "vllm"]
LANGUAGE_WORDS = {"es": "spanish", "en": "english", "fr": "french"}
"""How OpenAI's ``whisper-1`` names the languages it hears in ``verbose_json``."""
HEARD_SECONDS = 2.0
"""The duration a ``verbose_json`` answer of this fake reports (it does not decode the audio)."""


def verbose_transcript(text: str, language: str | None, *, style: VerboseStyle = "openai") -> Reply:
    """A ``verbose_json`` answer for ``text`` heard in ``language`` (an ISO code), shaped like the
    server ``style`` names: OpenAI names the language in a word and adds ``usage``; speaches gives the
    code and ``words``; vLLM gives the language it was asked (``None`` here when it detected one)."""
    segment = {"id": 0, "seek": 0, "start": 0.0, "end": HEARD_SECONDS, "text": f" {text}", "tokens": [50364, 50464],
               "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 1.0, "no_speech_prob": 0.01}
    named = LANGUAGE_WORDS.get(language, language) if style == "openai" and language else language
    body: dict[str, Any] = {"task": "transcribe", "language": named, "duration": HEARD_SECONDS, "text": text,
                            "segments": [segment]}
    if style == "openai":
        body["usage"] = {"type": "duration", "seconds": math.ceil(HEARD_SECONDS)}
    elif style == "speaches":
        body["words"] = None
    else:
        body["duration"] = str(HEARD_SECONDS)
    return Reply(body=json.dumps(body).encode())


REFUSALS = {
    "openai": Reply(status=400, body=json.dumps({"error": {
        "message": "response_format 'verbose_json' is not compatible with model 'gpt-4o-transcribe'. "
                   "Use 'json' or 'text' instead.",
        "type": "invalid_request_error", "param": "response_format", "code": "unsupported_value"}}).encode()),
    "vllm": Reply(status=400, body=json.dumps({
        "object": "error", "message": "Currently only support response_format `text` or `json`",
        "type": "BadRequestError", "param": None, "code": 400}).encode()),
    "vllm-model": Reply(status=400, body=json.dumps({"error": {
        "message": "Currently do not support verbose_json for mistralai/Voxtral-Mini-3B-2507",
        "type": "BadRequestError", "param": None, "code": 400}}).encode()),
    "validation": Reply(status=422, body=json.dumps({"detail": [{
        "type": "enum", "loc": ["body", "response_format"], "msg": "Input should be 'text' or 'json'",
        "input": "verbose_json"}]}).encode()),
}
"""How servers without ``verbose_json`` refuse it: OpenAI's ``gpt-4o-transcribe``, vLLM before it had
the format, a vLLM model without timestamps, and a FastAPI server whose form validation lacks it."""


def spoken_seconds(text: str) -> float:
    """How long the unscripted speech of ``text`` lasts: 60 ms a character, at least 0.2 s."""
    return max(0.2, round(0.06 * len(text.strip()), 3))


def tone(seconds: float = 0.5, *, rate: int = RATE, channels: int = 1) -> bytes:
    """A WAV of a quiet 440 Hz tone, 16-bit PCM."""
    n = int(seconds * rate)
    wave_ = (3000 * np.sin(2 * np.pi * 440.0 * np.arange(n) / rate)).astype("<i2")
    frames = np.repeat(wave_, channels)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return buffer.getvalue()


def streamed(data: bytes) -> bytes:
    """``data`` (a WAV) as a server that streams it writes it: the RIFF and data sizes unknown (0xFFFFFFFF)."""
    at = data.index(b"data") + 4
    return data[:4] + b"\xff\xff\xff\xff" + data[8:at] + b"\xff\xff\xff\xff" + data[at + 4:]


def wav(data: bytes) -> Reply:
    return Reply(body=data, content_type="audio/wav")


def bad_request(message: str) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return Response(json.dumps(body).encode(), 400, media_type="application/json")


def answer(reply: Reply) -> Response:
    return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.content_type)


class FakeSpeechServer:
    def __init__(self) -> None:
        self.api_key: str | None = None
        self.requests: list[Recorded] = []
        self.forms: list[dict[str, Any]] = []
        self.payloads: list[dict[str, Any]] = []
        self.verbose_style: VerboseStyle = "openai"
        self.detects = "es"
        self.verbose_refusal: Reply | None = None
        self._scripts: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self.app = Starlette(routes=[Route(TRANSCRIPTIONS, self._transcribe, methods=["POST"]),
                                     Route(SPEECH, self._speak, methods=["POST"])])

    def reset(self) -> None:
        with self._lock:
            self.api_key = None
            self.requests.clear()
            self.forms.clear()
            self.payloads.clear()
            self._scripts.clear()
            self.verbose_style = "openai"
            self.detects = "es"
            self.verbose_refusal = None

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[path] = list(replies)

    def count(self, path: str) -> int:
        return sum(1 for request in self.requests if request.path == path)

    async def _transcribe(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        if refused := self._unauthorized(request):
            return refused
        form = await request.form()
        try:
            problem = await self._check_form(dict(form.multi_items()))
        finally:
            await form.close()
        if problem:
            return bad_request(problem)
        asked = self.forms[-1]
        if asked.get("response_format") != "verbose_json":
            return await self._reply(TRANSCRIPTIONS, transcript(TRANSCRIPT))
        if self.verbose_refusal is not None:
            return answer(self.verbose_refusal)
        heard = asked.get("language") or (None if self.verbose_style == "vllm" else self.detects)
        return await self._reply(TRANSCRIPTIONS, verbose_transcript(TRANSCRIPT, heard, style=self.verbose_style))

    async def _speak(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        if refused := self._unauthorized(request):
            return refused
        problem = self._check_payload(body, request.headers.get("content-type", ""))
        if problem:
            return bad_request(problem)
        return await self._reply(SPEECH, wav(tone(spoken_seconds(self.payloads[-1]["input"]))))

    def _unauthorized(self, request: Request) -> Response | None:
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Response(b'{"error": {"message": "Invalid API key", "type": "invalid_request_error"}}', 401,
                            media_type="application/json")
        return None

    async def _reply(self, path: str, default: Reply) -> Response:
        with self._lock:
            queue = self._scripts.get(path)
            reply = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else default
        if reply.delay_s:  # a hang that ends early when the server stops
            await asyncio.to_thread(self.closing.wait, reply.delay_s)
        return answer(reply)

    async def _check_form(self, fields: dict[str, Any]) -> str | None:
        """What is wrong with a transcription form (``None``: nothing); a good one is kept in ``forms``."""
        upload = fields.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return "the file part is required"
        if upload.filename.rsplit(".", 1)[-1].lower() not in AUDIO_EXTENSIONS:
            return f"Invalid file format. Supported formats: {list(AUDIO_EXTENSIONS)}"
        data = await upload.read()
        if not data:
            return "the file is empty"
        texts = {name: value for name, value in fields.items() if isinstance(value, str)}
        if unknown := sorted(set(texts) - FORM_FIELDS):
            return f"unknown fields: {unknown}"
        if not texts.get("model"):
            return "model is required"
        if texts.get("response_format", "json") not in ("json", "text", "verbose_json"):
            return "response_format must be json, text or verbose_json"
        language = texts.get("language")
        if language is not None and (len(language) != 2 or not language.isalpha() or not language.islower()):
            return f"language must be an ISO-639-1 code, not {language!r}"
        self.forms.append({**texts, "file": (upload.filename, upload.content_type, data)})
        return None

    def _check_payload(self, body: bytes, content_type: str) -> str | None:
        """What is wrong with a speech request (``None``: nothing); a good one is kept in ``payloads``."""
        if not content_type.startswith("application/json"):
            return f"the body must be JSON, not {content_type!r}"
        try:
            payload = json.loads(body)
            fields = [payload["model"], payload["input"], payload["voice"]]
        except (ValueError, KeyError, TypeError) as exc:
            return f"malformed request: {exc!r}"
        if not all(isinstance(field, str) and field for field in fields):
            return "model, input and voice must be non-empty strings"
        if payload.get("response_format") != "wav":
            return "this fake only makes response_format wav"
        self.payloads.append(payload)
        return None

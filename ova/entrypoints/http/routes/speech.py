"""``/audio``: speech to text and text to speech."""

from __future__ import annotations

import enum

from starlette.requests import Request
from starlette.responses import Response

from ova.application.speech.use_cases import SpeechRequest
from ova.domain.speech import SPEECH_LANGUAGES, AudioClip
from ova.entrypoints.asgi.converter import FieldError, RequestValidationError, parse
from ova.entrypoints.http.ai_views import TranscriptionView
from ova.entrypoints.http.openapi.operations import QueryParam
from ova.entrypoints.http.requests import container, read_json
from ova.entrypoints.http.routing import api, respond
from ova.entrypoints.http.uploads import MULTIPART_SCHEMA, read_upload


class SpeechLanguage(enum.StrEnum):
    ES = "es"
    EN = "en"


async def transcribe(request: Request) -> Response:
    data = await read_upload(request, allow_json=False)
    return respond(TranscriptionView.of(await container(request).transcribe_audio()(AudioClip(data))))


async def synthesize(request: Request) -> Response:
    """The body's ``lang`` wins over ``?lang=``; both must be valid (422 listing es, en)."""
    body = await read_json(request)
    lang = request.query_params.get("lang")
    if lang is not None:
        if lang not in SPEECH_LANGUAGES:
            raise RequestValidationError([FieldError("lang", "debe ser uno de: " + ", ".join(SPEECH_LANGUAGES))])
        if isinstance(body, dict) and "lang" not in body:
            body = {**body, "lang": lang}
    speech = await container(request).synthesize_speech()(parse(SpeechRequest, body))
    return Response(speech.wav, media_type="audio/wav",
                    headers={"X-Audio-Duration": f"{speech.duration_s:.2f}"})


VOICE_NOTE = ("Devuelve `audio/wav` (PCM 16 bits, mono). `lang` (`es` por defecto, o `en`; en el cuerpo o como "
              "`?lang=`) elige el idioma: el motor local habla español con Kokoro-82M y la voz `jm_kumo` (24 kHz) e "
              "inglés con hibari (`af_heart`), o ambos con espeak-ng (`TTS_LOCAL_VOICE=espeak`). El texto largo se "
              "sintetiza frase a frase y se une en un solo WAV. `voice` es una de las voces del motor configurado al "
              "arrancar (el esquema las enumera); una voz elige su motor, sea cual sea el idioma. Sin `voice`, la "
              "voz del idioma; cualquier otra: 422.")
LANG = QueryParam(name="lang", type=SpeechLanguage, required=False,
                  description="`es` (por defecto) o `en`; el campo `lang` del cuerpo tiene prioridad.")

ROUTES = [
    api(transcribe, path="/audio/transcribir", method="POST", summary="Voz a texto", tags=("audio",),
        request_multipart=MULTIPART_SCHEMA, response=TranscriptionView, errors=(400, 413, 415, 422, 503),
        description="Multipart `file`: WAV, WEBM/Opus, OGG o MP3. El modelo local entiende inglés."),
    api(synthesize, path="/audio/sintetizar", method="POST", summary="Texto a voz (WAV)", tags=("audio",),
        request=SpeechRequest, response_media_type="audio/wav", query=(LANG,), errors=(400, 413, 415, 422, 503),
        description=VOICE_NOTE),
]

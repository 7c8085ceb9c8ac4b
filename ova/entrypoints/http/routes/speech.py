"""``/audio``: speech to text and text to speech."""

from __future__ import annotations

import enum

from starlette.requests import Request
from starlette.responses import Response

from ova.application.speech.use_cases import SpeechRequest
from ova.domain.speech import SPEECH_LANGUAGES, AudioClip, SpeechLanguage
from ova.entrypoints.asgi.converter import FieldError, RequestValidationError, parse
from ova.entrypoints.http.ai_views import TranscriptionView
from ova.entrypoints.http.openapi.operations import QueryParam
from ova.entrypoints.http.requests import container, read_json
from ova.entrypoints.http.routing import api, respond
from ova.entrypoints.http.uploads import MULTIPART_SCHEMA, read_multipart_upload


class SynthesisLanguage(enum.StrEnum):
    """What ``/audio/sintetizar`` speaks (no ``auto``: the text's language is the caller's to say)."""

    ES = "es"
    EN = "en"


async def transcribe(request: Request) -> Response:
    data, fields = await read_multipart_upload(request)
    language = _language(request.query_params.get("lang"), fields.get("language"))
    return respond(TranscriptionView.of(await container(request).transcribe_audio()(AudioClip(data), language)))


def _language(query: str | None, form: str | None) -> str | None:
    """``?lang=`` or the form's ``language`` (both: they must agree); ``None`` when neither is given."""
    if query is not None and form is not None and query.strip().lower() != form.strip().lower():
        raise RequestValidationError([FieldError("lang", f"lang={query[:20]!r} y language={form[:20]!r} no coinciden")])
    return query if query is not None else form


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
SYNTHESIS_LANG = QueryParam(name="lang", type=SynthesisLanguage, required=False,
                            description="`es` (por defecto) o `en`; el campo `lang` del cuerpo tiene prioridad.")

LANGUAGES = [language.value for language in SpeechLanguage]
LANGUAGE_NOTE = ("Idioma de la nota: `es`, `en` o `auto` (la detección del modelo cuando está segura, si no "
                 "DEFAULT_LANGUAGE). Sin indicarlo: DEFAULT_LANGUAGE.")
LANG = QueryParam(name="lang", type=SpeechLanguage, required=False, description=LANGUAGE_NOTE)
AUDIO_MULTIPART = {
    **MULTIPART_SCHEMA,
    "properties": {
        **MULTIPART_SCHEMA["properties"],  # type: ignore[dict-item]
        "language": {"type": "string", "enum": LANGUAGES, "description": LANGUAGE_NOTE + " Igual que `?lang=`."},
    },
}
TRANSCRIBE_NOTE = (
    "Multipart `file`: WAV, WEBM/Opus, OGG o MP3. `text` es lo oído y `language` el idioma con que se "
    "transcribió; `model` nombra el modelo. Un idioma desconocido: 422 con los valores aceptados; un idioma que el "
    "modelo no entiende (whisper-tiny.en y `es`): 422 `unsupported_language`; una nota sin voz (o en la que no se "
    "entiende nada en ese idioma): 422 `no_speech`."
)

ROUTES = [
    api(transcribe, path="/audio/transcribir", method="POST", summary="Voz a texto", tags=("audio",),
        request_multipart=AUDIO_MULTIPART, response=TranscriptionView, errors=(400, 413, 415, 422, 503),
        query=(LANG,), description=TRANSCRIBE_NOTE),
    api(synthesize, path="/audio/sintetizar", method="POST", summary="Texto a voz (WAV)", tags=("audio",),
        request=SpeechRequest, response_media_type="audio/wav", query=(SYNTHESIS_LANG,),
        errors=(400, 413, 415, 422, 503), description=VOICE_NOTE),
]

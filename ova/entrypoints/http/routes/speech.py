"""``/audio``: speech to text and text to speech."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ova.application.speech.use_cases import SpeechRequest
from ova.domain.speech import AudioClip, SpeechLanguage
from ova.entrypoints.asgi.converter import FieldError, RequestValidationError
from ova.entrypoints.http.ai_views import TranscriptionView
from ova.entrypoints.http.openapi.operations import QueryParam
from ova.entrypoints.http.requests import container, read_body
from ova.entrypoints.http.routing import api, respond
from ova.entrypoints.http.uploads import MULTIPART_SCHEMA, read_multipart_upload


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
    speech = await container(request).synthesize_speech()(await read_body(request, SpeechRequest))
    return Response(speech.wav, media_type="audio/wav",
                    headers={"X-Audio-Duration": f"{speech.duration_s:.2f}"})


VOICE_NOTE = ("Devuelve `audio/wav` (PCM 16 bits, mono). El modelo local habla inglés. `voice` es texto "
              "libre: las voces dependen del motor configurado al arrancar (el local y el de pruebas: "
              "`af_heart`), así que el esquema no las enumera. Sin `voice`, la voz por defecto; una voz que el "
              "motor local no conoce: 422; el de Hugging Face la ignora (y su respaldo local usa entonces "
              "su voz por defecto).")

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
        request=SpeechRequest, response_media_type="audio/wav", errors=(400, 413, 415, 422, 503),
        description=VOICE_NOTE),
]

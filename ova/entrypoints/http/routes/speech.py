"""``/audio``: speech to text and text to speech."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ova.application.speech.use_cases import SpeechRequest
from ova.domain.speech import AudioClip
from ova.entrypoints.http.ai_views import TranscriptionView
from ova.entrypoints.http.requests import container, read_body
from ova.entrypoints.http.routing import api, respond
from ova.entrypoints.http.uploads import MULTIPART_SCHEMA, read_upload


async def transcribe(request: Request) -> Response:
    data = await read_upload(request, allow_json=False)
    return respond(TranscriptionView.of(await container(request).transcribe_audio()(AudioClip(data))))


async def synthesize(request: Request) -> Response:
    speech = await container(request).synthesize_speech()(await read_body(request, SpeechRequest))
    return Response(speech.wav, media_type="audio/wav",
                    headers={"X-Audio-Duration": f"{speech.duration_s:.2f}"})


VOICE_NOTE = ("Devuelve `audio/wav` (PCM 16 bits, mono). El modelo local habla inglés. `voice` es una de las "
              "voces del motor configurado al arrancar (el esquema las enumera: el local y el de pruebas tienen "
              "`af_heart`, el de Hugging Face `default`); sin `voice`, la voz por defecto; cualquier otra: 422.")

ROUTES = [
    api(transcribe, path="/audio/transcribir", method="POST", summary="Voz a texto", tags=("audio",),
        request_multipart=MULTIPART_SCHEMA, response=TranscriptionView, errors=(400, 413, 415, 422, 503),
        description="Multipart `file`: WAV, WEBM/Opus, OGG o MP3. El modelo local entiende inglés."),
    api(synthesize, path="/audio/sintetizar", method="POST", summary="Texto a voz (WAV)", tags=("audio",),
        request=SpeechRequest, response_media_type="audio/wav", errors=(400, 413, 415, 422, 503),
        description=VOICE_NOTE),
]

"""The service's OpenAPI document, built from the route list and the attrs types it names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ova
from ova.entrypoints.http.openapi.document import openapi_document
from ova.entrypoints.http.openapi.schema import SchemaRegistry

if TYPE_CHECKING:
    from ova.entrypoints.http.routing import ApiRoute

DESCRIPTION = """\
OVA: an accessibility-minded assistant. Accounts with JWT, users, contact messages, images, sign
language, speech, chat and health.

Conventions: JSON in and out; every error is `{"detail": "<mensaje>", "code": "<codigo>"}` (422 adds
`errors`). Lists take `?skip=&limit=` (limit capped at 500; larger values are silently capped), return
an array, and send the total in `X-Total-Count`. Paths answer with and without a trailing slash and
never redirect. Unknown fields in JSON bodies are ignored (the published client sends extra fields).
Routes tagged `aliases` are those of the published React client, served by the same use cases.

Chat (WebSocket, not described by OpenAPI): `/ws`, `/ws/chat/{chat_id}`, `/api/chat`, `/ws/chat`. The
server sends `{"type": "connected", "client_id", "chat_id", "status"}`; a client sends
`{"type": "text", "text", "stream"}` (or `{"message"}` or plain text), `{"type": "audio", "audio",
"format"}`, `{"type": "auth", "token"}` (or `?token=`), `{"type": "cancel"}` and `{"type": "ping"}` (never
answered). Each message gets `typing` true, optional `chunk` frames, exactly one closing frame (the
answer, `is_user: false`, or an `error`: `{"type": "error", "error", "code", "details"}`) and `typing`
false. By default a voice note gets the words heard as the user's `text` (`is_user: true`) and the
answer as one `audio` frame (`id`, `text`, `is_user`, `timestamp`, `audio`); `?features=transcription,
text_then_audio` asks for a `transcription` frame and the answer as `text` then its `audio` (an unknown
feature: `error` `unknown_feature`, close 1008). A photo, `{"type": "image", "image": "<base64 or data:
URL>", "language", "speak"}`, is answered with its description ending with what is written in it (as
`/imagen/analizar` gives them), as `text`, or spoken as a voice note's answer is when the conversation is a
voice one or `speak` is true; it is stored as the turns `[Foto]` and that answer. The stored chats are read
over HTTP under `/chats`.
"""


def build_openapi(routes: Sequence[ApiRoute], *, voices: Sequence[str] = ()) -> dict[str, Any]:
    """The document; ``voices`` (the configured text-to-speech engine's) become the enum of
    ``SpeechRequest.voice``, so that it publishes exactly the voices the server accepts."""
    document = openapi_document(
        title="OVA API",
        version=ova.__version__,
        description=DESCRIPTION,
        routes=[route.spec for route in routes],
        registry=SchemaRegistry(),
    )
    if voices:
        _publish_voices(document, voices)
    return document


def _publish_voices(document: dict[str, Any], voices: Sequence[str]) -> None:
    """Narrow the string branch of ``SpeechRequest.voice`` (``voice: str | None``) to ``voices``."""
    schemas = document.get("components", {}).get("schemas", {})
    voice = schemas.get("SpeechRequest", {}).get("properties", {}).get("voice")
    if voice is None:
        return
    enum = {"type": "string", "enum": list(voices)}
    if "anyOf" in voice:
        voice["anyOf"] = [branch if branch.get("type") == "null" else enum for branch in voice["anyOf"]]
    else:
        voice.update(enum)

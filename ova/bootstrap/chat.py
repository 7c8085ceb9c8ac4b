"""What a chat connection uses, as the composition root wires it."""

from __future__ import annotations

from attrs import frozen

from ova.application.accounts.authenticate import Authenticate
from ova.application.chat.conversation import Converse
from ova.application.chat.photo import PhotoChat
from ova.application.chat.voice import VoiceChat
from ova.application.ports.telemetry import ChatTelemetry
from ova.config.settings import ChatSettings


@frozen
class ChatServices:
    converse: Converse
    authenticate: Authenticate
    voice: VoiceChat
    telemetry: ChatTelemetry
    settings: ChatSettings
    photo: PhotoChat
    max_photo_bytes: int
    """The largest photo an ``image`` frame carries (``MAX_UPLOAD_MB``, within a frame's limit)."""


def max_photo_bytes(max_upload_bytes: int, max_audio_bytes: int) -> int:
    """The largest photo the chat takes: an upload's limit (``MAX_UPLOAD_MB``), within what one frame
    read may carry (a voice note's size, ``WS_MAX_AUDIO_MB``, in base64: see
    ``entrypoints.websocket.frame_reading.max_frame_bytes``)."""
    return min(max_upload_bytes, max_audio_bytes)

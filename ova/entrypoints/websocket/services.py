"""What a chat connection works with: the use cases it calls, its telemetry and its limits. Made
once per process (``create_app``) and shared by every connection."""

from __future__ import annotations

from attrs import frozen

from ova.application.accounts.authenticate import Authenticate
from ova.application.chat.conversation import Converse
from ova.application.chat.voice import VoiceChat
from ova.config.settings import ChatSettings
from ova.entrypoints.websocket.telemetry import ChatTelemetry


@frozen
class ChatServices:
    converse: Converse
    authenticate: Authenticate
    voice: VoiceChat
    telemetry: ChatTelemetry
    settings: ChatSettings

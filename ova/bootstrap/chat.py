"""What a chat connection uses, as the composition root wires it."""

from __future__ import annotations

from attrs import frozen

from ova.application.accounts.authenticate import Authenticate
from ova.application.chat.conversation import Converse
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

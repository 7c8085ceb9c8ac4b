"""How the remote speech adapters are built from the settings: speech to text and text to speech on an
OpenAI-compatible speech server (``SPEECH_API_URL``, ``SPEECH_API_KEY``; ``STT_REMOTE_MODEL``,
``TTS_REMOTE_MODEL`` and its voices ``TTS_REMOTE_VOICE_ES``/``_EN``). Each gets its own circuit breaker
(a failing synthesis does not silence transcription), the shared deadline ``AI_TIMEOUT_S`` and the
shared HTTP client."""

from __future__ import annotations

import httpx

from ova.adapters.ai.openai_speech import OpenAICompatibleTextToSpeech
from ova.adapters.ai.openai_transcription import OpenAICompatibleSpeechToText
from ova.adapters.ai.resilience import CircuitBreaker
from ova.config.settings import AiSettings

SPEECH_SERVER = "El servidor de voz"
"""How error messages and ``/status/health`` name the OpenAI-compatible speech server."""


def breaker_for(model: str, settings: AiSettings) -> CircuitBreaker:
    return CircuitBreaker(f"{SPEECH_SERVER} ({model})", failure_threshold=settings.circuit_failures,
                          reset_after_s=settings.circuit_reset_s)


def make_remote_stt(settings: AiSettings, http: httpx.AsyncClient) -> OpenAICompatibleSpeechToText:
    """``STT_PROVIDER=openai-compatible``."""
    return OpenAICompatibleSpeechToText(
        settings.speech_api_url, settings.speech_api_key, settings.stt_remote_model, http=http,
        timeout_s=settings.ai_timeout_s, breaker=breaker_for(settings.stt_remote_model, settings))


def make_remote_tts(settings: AiSettings, http: httpx.AsyncClient) -> OpenAICompatibleTextToSpeech:
    """``TTS_PROVIDER=openai-compatible``."""
    return OpenAICompatibleTextToSpeech(
        settings.speech_api_url, settings.speech_api_key, settings.tts_remote_model,
        voices_by_language={"es": settings.tts_remote_voice_es, "en": settings.tts_remote_voice_en}, http=http,
        timeout_s=settings.ai_timeout_s, breaker=breaker_for(settings.tts_remote_model, settings))

"""How the settings choose and build the remote speech adapters: speech to text and text to speech on an
OpenAI-compatible speech server, alone or in front of the local models."""

from __future__ import annotations

from pathlib import Path

from ova.adapters.ai.fallback import Fallback
from ova.adapters.ai.local.by_language import ByLanguage
from ova.adapters.ai.local.whisper import WhisperSpeechToText
from ova.adapters.ai.openai_speech import OpenAICompatibleTextToSpeech
from ova.adapters.ai.openai_transcription import OpenAICompatibleSpeechToText
from ova.adapters.probes import ModelProbe
from ova.bootstrap.ai import AI, loadable_models
from ova.config import load_settings

SPEECH = {"SPEECH_API_URL": "http://gpu:8000/v1/", "SPEECH_API_KEY": "sk-s", "STT_REMOTE_MODEL": "whisper-1",
          "TTS_REMOTE_MODEL": "tts-1", "TTS_REMOTE_VOICE_ES": "nova", "TTS_REMOTE_VOICE_EN": "alloy",
          "AI_TIMEOUT_S": "12", "CIRCUIT_FAILURES": "3", "CIRCUIT_RESET_S": "9"}


def ai_for(tmp_path: Path, **environ: str) -> AI:
    settings = load_settings({"OVA_MODELS_DIR": str(tmp_path / "models"), **environ}, env_file=tmp_path / "none")
    return AI(settings=settings.ai, chat_settings=settings.chat, max_upload_bytes=1024,
              default_language=settings.default_language)


async def test_openai_compatible_speech_talks_to_the_server_the_settings_name(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, STT_PROVIDER="openai-compatible", TTS_PROVIDER="openai-compatible", **SPEECH)

    stt, tts = ai.stt(), ai.tts()

    assert isinstance(stt, OpenAICompatibleSpeechToText) and isinstance(tts, OpenAICompatibleTextToSpeech)
    assert (stt.url, stt.api_key, stt.model, stt.timeout_s) == (
        "http://gpu:8000/v1/audio/transcriptions", "sk-s", "whisper-1", 12.0)
    assert (tts.url, tts.api_key, tts.model, tts.timeout_s) == (
        "http://gpu:8000/v1/audio/speech", "sk-s", "tts-1", 12.0)
    assert tts.voices_by_language == {"es": "nova", "en": "alloy"} and tts.voices == ("nova", "alloy")
    assert stt.http is tts.http is ai.http()
    assert (stt.breaker.failure_threshold, stt.breaker.reset_after_s) == (3, 9.0)
    assert stt.breaker is not tts.breaker  # a failing synthesis does not silence transcription
    assert (stt.breaker.name, tts.breaker.name) == ("El servidor de voz (whisper-1)", "El servidor de voz (tts-1)")
    loaded = loadable_models(ai)  # no local speech model to load without the fallback
    assert not any(isinstance(model, WhisperSpeechToText | ByLanguage) for model in loaded) and loaded
    health = await ModelProbe("stt", stt, "openai-compatible").check()
    assert (health.status, health.circuit, health.model) == ("ok", "closed", "whisper-1")


def test_one_voice_for_both_languages_is_offered_once(tmp_path: Path) -> None:
    tts = ai_for(tmp_path, TTS_PROVIDER="openai-compatible", TTS_REMOTE_VOICE_ES="alloy",
                 TTS_REMOTE_VOICE_EN="alloy").tts()

    assert isinstance(tts, OpenAICompatibleTextToSpeech) and tts.voices == ("alloy",)


def test_openai_compatible_speech_falls_back_to_the_local_models_and_warms_them_up(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, STT_PROVIDER="openai-compatible", TTS_PROVIDER="openai-compatible", AI_FALLBACK_LOCAL="true")

    stt, tts = ai.stt(), ai.tts()

    assert isinstance(stt, Fallback) and isinstance(stt.remote, OpenAICompatibleSpeechToText)
    assert isinstance(stt.local, WhisperSpeechToText) and stt.local is ai.local_stt()
    assert isinstance(tts, Fallback) and isinstance(tts.remote, OpenAICompatibleTextToSpeech)
    assert isinstance(tts.local, ByLanguage) and tts.breaker is tts.remote.breaker
    assert {id(stt.local), id(tts.local)} <= {id(model) for model in loadable_models(ai)}
    assert ai.model_store().report("whisper-base").used_by == ("stt",)

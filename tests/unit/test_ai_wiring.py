from __future__ import annotations

from pathlib import Path

import pytest

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.adapters.ai.fakes.vision import FakeObjectDetector
from ova.adapters.ai.fallback import Fallback
from ova.adapters.ai.huggingface.detection import HfObjectDetector
from ova.adapters.ai.local.chat import LlamaChatModel
from ova.adapters.ai.local.detection import YoloDetector
from ova.adapters.ai.local.ocr import TesseractReader
from ova.adapters.ai.local.whisper import WhisperSpeechToText
from ova.adapters.ai.openai_chat import OpenAICompatibleChatModel
from ova.adapters.probes import ModelProbe
from ova.bootstrap import build_container
from ova.bootstrap.ai import AI, loadable_models
from ova.config import ConfigError, load_settings


def ai_for(tmp_path: Path, **environ: str) -> AI:
    settings = load_settings(environ, env_file=tmp_path / "none")
    return AI(settings=settings.ai, chat_settings=settings.chat, max_upload_bytes=1024,
              default_language=settings.default_language)


@pytest.mark.parametrize(("provider", "expected"), [
    ("local", YoloDetector), ("huggingface", HfObjectDetector), ("fake", FakeObjectDetector),
])
def test_the_configured_provider_serves_the_capability(tmp_path: Path, provider: str, expected: type) -> None:
    assert type(ai_for(tmp_path, DETECTION_PROVIDER=provider).detector()) is expected


def test_fallback_wraps_the_remote_adapter_around_the_shared_local_model(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, DETECTION_PROVIDER="huggingface", AI_FALLBACK_LOCAL="true")
    detector = ai.detector()
    assert isinstance(detector, Fallback)
    assert detector.local is ai.local_detector() and detector is ai.detector()
    assert detector.local in loadable_models(ai)


def test_fakes_and_remote_adapters_need_no_model_loading(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, DETECTION_PROVIDER="huggingface", CAPTIONING_PROVIDER="fake", ASL_PROVIDER="fake",
                STT_PROVIDER="fake",
                TTS_PROVIDER="fake", CHAT_PROVIDER="openai-compatible", OCR_PROVIDER="fake")
    assert loadable_models(ai) == []


@pytest.mark.parametrize(("provider", "expected"), [("local", TesseractReader), ("fake", FakeTextReader)])
def test_the_configured_ocr_provider_serves_ocr(tmp_path: Path, provider: str, expected: type) -> None:
    assert type(ai_for(tmp_path, OCR_PROVIDER=provider).ocr()) is expected


def test_the_local_ocr_takes_its_confidence_and_timeout_from_the_settings(tmp_path: Path) -> None:
    reader = ai_for(tmp_path, OCR_MIN_CONFIDENCE="0.8", OCR_TIMEOUT_S="3").ocr()
    assert (reader._min_confidence, reader._timeout_s) == (0.8, 3.0)


@pytest.mark.parametrize(("provider", "expected"), [
    ("local", LlamaChatModel), ("huggingface", OpenAICompatibleChatModel),
    ("openai-compatible", OpenAICompatibleChatModel), ("fake", FakeChatModel),
])
def test_the_configured_chat_provider_serves_chat(tmp_path: Path, provider: str, expected: type) -> None:
    assert type(ai_for(tmp_path, CHAT_PROVIDER=provider).chat()) is expected


def test_chat_providers_use_their_own_url_key_and_the_chat_settings(tmp_path: Path) -> None:
    hf = ai_for(tmp_path, CHAT_PROVIDER="huggingface", HF_API_KEY="hf_x", CHAT_MAX_TOKENS="99").chat()
    assert hf.url == "https://router.huggingface.co/v1/chat/completions"
    assert (hf.api_key, hf.model, hf.max_tokens) == ("hf_x", "HuggingFaceTB/SmolLM2-135M-Instruct", 99)

    compatible = ai_for(tmp_path, CHAT_PROVIDER="openai-compatible", CHAT_API_URL="http://llm:11434/v1/",
                        CHAT_API_KEY="sk-1", CHAT_MODEL="llama3.2", HF_API_KEY="hf_x").chat()
    assert compatible.url == "http://llm:11434/v1/chat/completions"
    assert (compatible.api_key, compatible.model) == ("sk-1", "llama3.2")

    local = ai_for(tmp_path, CHAT_THREADS="3", CHAT_CONCURRENCY="2", CHAT_QUEUE="5").chat()
    assert (local.threads, local.concurrency, local.queue) == (3, 2, 5)


def test_chat_falls_back_to_the_shared_local_model_and_warms_it_up(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, CHAT_PROVIDER="openai-compatible", AI_FALLBACK_LOCAL="true")
    chat = ai.chat()
    assert isinstance(chat, Fallback)
    assert chat.local is ai.local_chat() and chat is ai.chat()
    assert chat.breaker is chat.remote.breaker
    assert chat.local in loadable_models(ai)


async def test_health_shows_each_capability_with_its_provider_and_circuit(tmp_path: Path) -> None:
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "h.db"), "DETECTION_PROVIDER": "huggingface",
                              "ASL_PROVIDER": "fake"}, env_file=tmp_path / "none")
    container = build_container(settings)
    await container.init_resources()  # type: ignore[misc]
    try:
        report = await container.check_health()()
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
    assert report.checks["detection"].provider == "huggingface"
    assert report.checks["detection"].circuit == "closed"
    assert report.checks["asl"].provider == "fake" and report.checks["asl"].status == "ok"
    assert report.checks["stt"].status == "degraded" and report.checks["stt"].detail == "cargando el modelo"
    assert report.checks["chat"].provider == "local" and report.checks["chat"].status == "degraded"


@pytest.mark.parametrize(("name", "title"), [
    ("qwen2.5-coder-1.5b", "Qwen2.5-Coder-1.5B"), ("qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B"),
    ("smollm2-135m", "SmolLM2-135M"),
])
def test_the_local_chat_model_is_the_catalogue_entry_chat_local_model_names(
    tmp_path: Path, name: str, title: str,
) -> None:
    ai = ai_for(tmp_path, CHAT_LOCAL_MODEL=name, OVA_MODELS_DIR=str(tmp_path / "models"))
    assert ai.chat().model.startswith(title)
    report = ai.model_store().report(name)
    assert report.used_by == ("chat",)


def test_a_model_no_capability_runs_is_used_by_nobody(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, CHAT_PROVIDER="openai-compatible")
    assert ai.model_store().report("qwen2.5-coder-1.5b").used_by == ()
    with_fallback = ai_for(tmp_path, CHAT_PROVIDER="openai-compatible", AI_FALLBACK_LOCAL="true")
    assert with_fallback.model_store().report("qwen2.5-coder-1.5b").used_by == ("chat",)


def test_an_unknown_local_chat_model_is_refused_by_the_configuration(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CHAT_LOCAL_MODEL"):
        load_settings({"CHAT_LOCAL_MODEL": "gpt-5"}, env_file=tmp_path / "none")


@pytest.mark.parametrize(("voice", "spanish", "english", "used_by"), [
    ("kokoro", "kokoro-82m", "hibari-tts", ("tts",)),
    ("espeak", "espeak-ng", "espeak-ng", ()),
])
def test_tts_local_voice_chooses_the_engines_and_whether_kokoro_and_hibari_are_in_use(
    tmp_path: Path, voice: str, spanish: str, english: str, used_by: tuple[str, ...],
) -> None:
    ai = ai_for(tmp_path, TTS_LOCAL_VOICE=voice, TTS_THREADS="3", OVA_MODELS_DIR=str(tmp_path / "models"))
    engines = ai.tts().engines  # ByLanguage: language → engine
    assert engines["es"].model.startswith(spanish) and engines["en"].model.startswith(english)
    assert ai.model_store().report("kokoro-82m").used_by == used_by
    assert ai.model_store().report("hibari").used_by == used_by
    assert not ai.tts().loaded  # nothing is loaded, nor joined, before the warm-up


@pytest.mark.parametrize("classifier", ["ova-letters", "smart-gestures", "asl-alpnum"])
async def test_the_local_asl_recognizer_runs_the_hand_model_and_the_classifier_asl_local_model_names(
    tmp_path: Path, classifier: str,
) -> None:
    ai = ai_for(tmp_path, ASL_LOCAL_MODEL=classifier, OVA_MODELS_DIR=str(tmp_path / "models"))
    store = ai.model_store()
    assert store.report("mediapipe-hands").used_by == ("asl",) and store.report(classifier).used_by == ("asl",)
    others = {"ova-letters", "smart-gestures", "asl-alpnum"} - {classifier}
    assert all(store.report(other).used_by == () for other in others)
    health = await ModelProbe("asl", ai.sign(), "local", warming_up=False).check()
    assert health.model == f"mediapipe-hands+{classifier}" and not ai.sign().loaded


def test_an_unknown_local_voice_is_refused_by_the_configuration(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TTS_LOCAL_VOICE"):
        load_settings({"TTS_LOCAL_VOICE": "piper"}, env_file=tmp_path / "none")
@pytest.mark.parametrize(("name", "languages"), [("whisper-base", ("es", "en")), ("whisper-tiny.en", ("en",))])
def test_the_local_speech_model_is_the_catalogue_entry_stt_local_model_names(
    tmp_path: Path, name: str, languages: tuple[str, ...],
) -> None:
    ai = ai_for(tmp_path, STT_LOCAL_MODEL=name, OVA_MODELS_DIR=str(tmp_path / "models"))
    stt = ai.stt()
    assert isinstance(stt, WhisperSpeechToText)
    assert stt.model.startswith(name) and stt.languages == languages and not stt.loaded
    assert ai.model_store().report(name).used_by == ("stt",)


@pytest.mark.parametrize(("variable", "value"), [("STT_LOCAL_MODEL", "whisper-large"), ("DEFAULT_LANGUAGE", "fr"),
                                                 ("STT_MIN_LANGUAGE_PROBABILITY", "1.5"), ("STT_THREADS", "0")])
def test_bad_speech_settings_are_refused_by_the_configuration(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value}, env_file=tmp_path / "none")

"""How the settings choose and build the remote vision adapters: the captioner and the text reader on
an OpenAI-compatible vision server, the Hugging Face text reader."""

from __future__ import annotations

from pathlib import Path

import httpx

from ova.adapters.ai.fallback import Fallback
from ova.adapters.ai.huggingface import HfTextReader
from ova.adapters.ai.local.captioning import TemplateCaptioner
from ova.adapters.ai.openai_captioning import OpenAICompatibleCaptioner
from ova.adapters.ai.openai_ocr import OpenAICompatibleTextReader
from ova.adapters.probes import ModelProbe
from ova.bootstrap.ai import AI
from ova.bootstrap.remote_vision import REMOTE_OCR_ADAPTERS, make_remote_text_reader
from ova.config import load_settings
from ova.config.settings import Provider

VISION = {"VISION_API_URL": "http://gpu:8000/v1/", "VISION_API_KEY": "sk-v", "VISION_MODEL": "llava-1.6",
          "AI_TIMEOUT_S": "12", "CIRCUIT_FAILURES": "3", "CIRCUIT_RESET_S": "9"}


def ai_for(tmp_path: Path, **environ: str) -> AI:
    settings = load_settings(environ, env_file=tmp_path / "none")
    return AI(settings=settings.ai, chat_settings=settings.chat, max_upload_bytes=1024,
              default_language=settings.default_language)


async def test_openai_compatible_captioning_talks_to_the_vision_server_the_settings_name(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, CAPTIONING_PROVIDER="openai-compatible", **VISION)

    captioner = ai.captioner()

    assert isinstance(captioner, OpenAICompatibleCaptioner) and captioner.model == "llava-1.6"
    vision = captioner._vision
    assert (vision.url, vision.api_key, vision.timeout_s) == ("http://gpu:8000/v1/chat/completions", "sk-v", 12.0)
    assert (captioner.breaker.failure_threshold, captioner.breaker.reset_after_s) == (3, 9.0)
    assert vision.http is ai.http()
    health = await ModelProbe("captioning", captioner, "openai-compatible").check()
    assert (health.status, health.circuit, health.model) == ("ok", "closed", "llava-1.6")


def test_openai_compatible_captioning_falls_back_to_the_template_sentence(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, CAPTIONING_PROVIDER="openai-compatible", AI_FALLBACK_LOCAL="true")

    captioner = ai.captioner()

    assert isinstance(captioner, Fallback) and isinstance(captioner.remote, OpenAICompatibleCaptioner)
    assert isinstance(captioner.local, TemplateCaptioner) and captioner.breaker is captioner.remote.breaker


async def test_the_remote_ocr_adapters_are_built_from_their_settings(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, HF_OCR_MODEL="microsoft/trocr-large-printed", HF_API_KEY="hf_x", **VISION)

    hugging_face = REMOTE_OCR_ADAPTERS[Provider.HUGGINGFACE](ai)()  # type: ignore[arg-type]
    compatible = REMOTE_OCR_ADAPTERS[Provider.OPENAI_COMPATIBLE](ai)()  # type: ignore[arg-type]

    assert isinstance(hugging_face, HfTextReader) and hugging_face.model == "microsoft/trocr-large-printed"
    assert hugging_face._client is ai.hf()
    assert isinstance(compatible, OpenAICompatibleTextReader) and compatible.model == "llava-1.6"
    assert compatible._vision.url == "http://gpu:8000/v1/chat/completions" and compatible._vision.api_key == "sk-v"
    assert set(REMOTE_OCR_ADAPTERS) == {Provider.HUGGINGFACE, Provider.OPENAI_COMPATIBLE}


async def test_the_reader_and_the_captioner_keep_separate_circuits(tmp_path: Path) -> None:
    settings = load_settings(VISION, env_file=tmp_path / "none").ai
    async with httpx.AsyncClient() as http:
        reader = make_remote_text_reader(settings, http)
        captioner = ai_for(tmp_path, CAPTIONING_PROVIDER="openai-compatible", **VISION).captioner()
        assert reader.breaker is not captioner.breaker
        assert reader.breaker.name == captioner.breaker.name == "El servidor de visión (llava-1.6)"

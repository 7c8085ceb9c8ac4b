"""How the remote vision adapters are built from the settings: the captioner and the text reader on an
OpenAI-compatible vision server (``VISION_API_URL``, ``VISION_API_KEY``, ``VISION_MODEL``), and the
Hugging Face text reader (``HF_OCR_MODEL``). Each gets its own circuit breaker (a failing reader does
not silence the captioner), the shared deadline ``AI_TIMEOUT_S`` and the shared HTTP client.

``REMOTE_OCR_ADAPTERS`` are the OCR capability's remote providers, for its declaration in
``ova.bootstrap.capabilities`` (``adapters={Provider.LOCAL: ..., Provider.FAKE: ..., **REMOTE_OCR_ADAPTERS}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from dependency_injector import providers

from ova.adapters.ai.huggingface.ocr import HfTextReader
from ova.adapters.ai.openai_captioning import OpenAICompatibleCaptioner
from ova.adapters.ai.openai_ocr import OpenAICompatibleTextReader
from ova.adapters.ai.openai_vision import OpenAICompatibleVision
from ova.adapters.ai.resilience import CircuitBreaker
from ova.config.settings import AiSettings, Provider

if TYPE_CHECKING:
    from ova.bootstrap.ai import AI

VISION_SERVER = "El servidor de visión"
"""How error messages and ``/status/health`` name the OpenAI-compatible vision server."""


def make_remote_vision(settings: AiSettings, http: httpx.AsyncClient) -> OpenAICompatibleVision:
    """A client of the vision server with a breaker of its own."""
    breaker = CircuitBreaker(f"{VISION_SERVER} ({settings.vision_model})", failure_threshold=settings.circuit_failures,
                             reset_after_s=settings.circuit_reset_s)
    return OpenAICompatibleVision(settings.vision_api_url, settings.vision_api_key, settings.vision_model, http=http,
                                  timeout_s=settings.ai_timeout_s, breaker=breaker)


def make_remote_captioner(settings: AiSettings, http: httpx.AsyncClient) -> OpenAICompatibleCaptioner:
    """``CAPTIONING_PROVIDER=openai-compatible``."""
    return OpenAICompatibleCaptioner(make_remote_vision(settings, http))


def make_remote_text_reader(settings: AiSettings, http: httpx.AsyncClient) -> OpenAICompatibleTextReader:
    """``OCR_PROVIDER=openai-compatible``."""
    return OpenAICompatibleTextReader(make_remote_vision(settings, http))


REMOTE_OCR_ADAPTERS: Mapping[Provider, Callable[[type[AI]], providers.Provider[Any]]] = {
    Provider.HUGGINGFACE: lambda ai: providers.Singleton(
        HfTextReader, client=ai.hf, model=ai.settings.provided.hf_ocr_model),
    Provider.OPENAI_COMPATIBLE: lambda ai: providers.Singleton(
        make_remote_text_reader, settings=ai.settings, http=ai.http),
}
"""The OCR capability's remote adapters, by provider (see the module)."""

"""Which AI adapter serves each capability: local models, Hugging Face or, for chat, any
OpenAI-compatible server (each optionally falling back to the local model) or fakes, as configured.
Nothing outside the container knows which one runs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx
from dependency_injector import containers, providers

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.fakes.sign import FakeSignRecognizer
from ova.adapters.ai.fakes.speech import FakeSpeechToText, FakeTextToSpeech
from ova.adapters.ai.fakes.vision import FakeImageCaptioner, FakeObjectDetector
from ova.adapters.ai.huggingface.captioning import HfImageCaptioner
from ova.adapters.ai.huggingface.client import HuggingFaceClient
from ova.adapters.ai.huggingface.detection import HfObjectDetector
from ova.adapters.ai.huggingface.sign_space import GradioSignRecognizer
from ova.adapters.ai.huggingface.speech import HfSpeechToText, HfTextToSpeech
from ova.adapters.ai.images import PillowImageDecoder
from ova.adapters.ai.local.captioning import TemplateCaptioner
from ova.adapters.ai.local.chat import LlamaChatModel
from ova.adapters.ai.local.detection import YoloDetector
from ova.adapters.ai.local.sign import MediapipeSignRecognizer
from ova.adapters.ai.local.speech import HibariTextToSpeech, WhisperSpeechToText
from ova.adapters.ai.openai_chat import OpenAICompatibleChatModel
from ova.adapters.ai.pool import InferencePool
from ova.adapters.ai.resilience import (
    ChatModelWithFallback,
    CircuitBreaker,
    ImageCaptionerWithFallback,
    ObjectDetectorWithFallback,
    SignRecognizerWithFallback,
    SpeechToTextWithFallback,
    TextToSpeechWithFallback,
)
from ova.config.settings import AiSettings, ChatSettings, Provider


def remote_or_fallback(remote: Any, local: Callable[[], Any], fallback: type[Any], enabled: bool) -> Any:
    """The remote adapter, wrapped so that ``ModelUnavailable`` falls back to the local one when
    ``AI_FALLBACK_LOCAL`` is on (the local model is then only built if the option is on)."""
    return fallback(remote, local()) if enabled else remote


def make_pool(name: str, settings: AiSettings) -> InferencePool:
    return InferencePool(name, workers=settings.inference_workers, queue=settings.inference_queue)


def capability(selected: Any, local: providers.Provider[Any], remote: providers.Provider[Any],
               fallback_type: type[Any], fake: providers.Provider[Any], fallback: Any) -> providers.Selector[Any]:
    """The provider of one capability: ``local``, ``huggingface`` (maybe with local fallback) or ``fake``."""
    return providers.Selector(
        selected,
        local=local,
        huggingface=providers.Singleton(remote_or_fallback, remote, local.provider, fallback_type, fallback),
        fake=fake,
    )


def make_hf_client(settings: AiSettings, http: httpx.AsyncClient) -> HuggingFaceClient:
    breakers = functools.partial(
        CircuitBreaker, failure_threshold=settings.circuit_failures, reset_after_s=settings.circuit_reset_s
    )
    return HuggingFaceClient(settings.hf_api_url, settings.hf_api_key, http=http, timeout_s=settings.ai_timeout_s,
                             breaker_factory=breakers)


def make_remote_chat(provider: str, base_url: str, api_key: str | None, settings: AiSettings, chat: ChatSettings,
                     http: httpx.AsyncClient) -> OpenAICompatibleChatModel:
    """The chat-completions adapter for Hugging Face's router or any OpenAI-compatible server."""
    breaker = CircuitBreaker(f"{provider} ({settings.chat_model})", failure_threshold=settings.circuit_failures,
                             reset_after_s=settings.circuit_reset_s)
    return OpenAICompatibleChatModel(base_url, api_key, settings.chat_model, http=http, timeout_s=settings.ai_timeout_s,
                                     breaker=breaker, max_tokens=chat.max_tokens, temperature=chat.temperature)


class AI(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=AiSettings)
    chat_settings = providers.Dependency(instance_of=ChatSettings)
    max_upload_bytes = providers.Dependency(instance_of=int)

    http = providers.Singleton(
        httpx.AsyncClient, limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        headers={"User-Agent": "ova"},
    )
    hf = providers.Singleton(make_hf_client, settings, http)
    fallback = settings.provided.ai_fallback_local

    image_pool = providers.Singleton(make_pool, "images", settings)
    detection_pool = providers.Singleton(make_pool, "detection", settings)
    asl_pool = providers.Singleton(make_pool, "asl", settings)
    stt_pool = providers.Singleton(make_pool, "stt", settings)
    tts_pool = providers.Singleton(make_pool, "tts", settings)

    decoder = providers.Singleton(PillowImageDecoder, max_bytes=max_upload_bytes,
                                  max_pixels=settings.provided.max_image_pixels, pool=image_pool)

    local_detector = providers.Singleton(YoloDetector, pool=detection_pool)
    local_captioner = providers.Singleton(TemplateCaptioner)
    local_sign = providers.Singleton(MediapipeSignRecognizer, pool=asl_pool,
                                     classifier=settings.provided.asl_local_model)
    local_stt = providers.Singleton(WhisperSpeechToText, pool=stt_pool)
    local_tts = providers.Singleton(HibariTextToSpeech, pool=tts_pool)

    detector = capability(
        settings.provided.detection_provider.value, local_detector,
        providers.Singleton(HfObjectDetector, hf, settings.provided.hf_detection_model),
        ObjectDetectorWithFallback, providers.Singleton(FakeObjectDetector), fallback,
    )
    captioner = capability(
        settings.provided.captioning_provider.value, local_captioner,
        providers.Singleton(HfImageCaptioner, hf, settings.provided.hf_caption_model),
        ImageCaptionerWithFallback, providers.Singleton(FakeImageCaptioner), fallback,
    )
    sign = capability(
        settings.provided.asl_provider.value, local_sign,
        providers.Singleton(GradioSignRecognizer, hf, space_url=settings.provided.hf_asl_space_url,
                            model_name=settings.provided.hf_modelo_sign),
        SignRecognizerWithFallback, providers.Singleton(FakeSignRecognizer), fallback,
    )
    stt = capability(
        settings.provided.stt_provider.value, local_stt,
        providers.Singleton(HfSpeechToText, hf, settings.provided.hf_stt_model),
        SpeechToTextWithFallback, providers.Singleton(FakeSpeechToText), fallback,
    )
    tts = capability(
        settings.provided.tts_provider.value, local_tts,
        providers.Singleton(HfTextToSpeech, hf, settings.provided.hf_tts_model),
        TextToSpeechWithFallback, providers.Singleton(FakeTextToSpeech), fallback,
    )

    local_chat = providers.Singleton(
        LlamaChatModel, threads=chat_settings.provided.threads, context_window=chat_settings.provided.context_window,
        max_tokens=chat_settings.provided.max_tokens, temperature=chat_settings.provided.temperature,
        concurrency=chat_settings.provided.concurrency, queue=chat_settings.provided.queue,
    )
    hf_chat = providers.Singleton(make_remote_chat, "Hugging Face", chat_settings.provided.hf_chat_url,
                                  settings.provided.hf_api_key, settings, chat_settings, http)
    compatible_chat = providers.Singleton(make_remote_chat, "El servidor de chat", chat_settings.provided.api_url,
                                          chat_settings.provided.api_key, settings, chat_settings, http)
    chat = providers.Selector(
        settings.provided.chat_provider.value,
        local=local_chat,
        huggingface=providers.Singleton(remote_or_fallback, hf_chat, local_chat.provider, ChatModelWithFallback,
                                        fallback),
        fake=providers.Singleton(FakeChatModel),
        **{Provider.OPENAI_COMPATIBLE.value: providers.Singleton(
            remote_or_fallback, compatible_chat, local_chat.provider, ChatModelWithFallback, fallback)},
    )


def selected_models(ai: Any) -> dict[str, Any]:
    """The adapter serving each capability, by the names ``/status/health`` uses (``ai`` is an ``AI``
    container or the provider that holds one)."""
    return {"detection": ai.detector(), "captioning": ai.captioner(), "asl": ai.sign(), "stt": ai.stt(),
            "tts": ai.tts(), "chat": ai.chat()}


def loadable_models(ai: Any) -> list[Any]:
    """The local models in use (directly or as fallbacks), to load before the first request."""
    found: list[Any] = []
    for adapter in selected_models(ai).values():
        for candidate in (adapter, getattr(adapter, "local", None)):
            if candidate is not None and callable(getattr(candidate, "load", None)) and candidate not in found:
                found.append(candidate)
    return found

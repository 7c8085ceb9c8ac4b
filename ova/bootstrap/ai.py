"""Which AI adapter serves each capability: local models, Hugging Face (optionally falling back to
the local model) or fakes, as configured. Nothing outside the container knows which one runs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx
from dependency_injector import containers, providers

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
from ova.adapters.ai.local.detection import YoloDetector
from ova.adapters.ai.local.sign import MediapipeSignRecognizer
from ova.adapters.ai.local.speech import HibariTextToSpeech, WhisperSpeechToText
from ova.adapters.ai.pool import InferencePool
from ova.adapters.ai.resilience import (
    CircuitBreaker,
    ImageCaptionerWithFallback,
    ObjectDetectorWithFallback,
    SignRecognizerWithFallback,
    SpeechToTextWithFallback,
    TextToSpeechWithFallback,
)
from ova.config.settings import AiSettings


def remote_or_fallback(remote: Any, local: Callable[[], Any], fallback: type[Any], enabled: bool) -> Any:
    """The remote adapter, wrapped so that ``ModelUnavailable`` falls back to the local one when
    ``AI_FALLBACK_LOCAL`` is on (the local model is then only built if the option is on)."""
    return fallback(remote, local()) if enabled else remote


def make_hf_client(settings: AiSettings, http: httpx.AsyncClient) -> HuggingFaceClient:
    breakers = functools.partial(
        CircuitBreaker, failure_threshold=settings.circuit_failures, reset_after_s=settings.circuit_reset_s
    )
    return HuggingFaceClient(settings.hf_api_url, settings.hf_api_key, http=http, timeout_s=settings.ai_timeout_s,
                             breaker_factory=breakers)


class AI(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=AiSettings)
    max_upload_bytes = providers.Dependency(instance_of=int)

    http = providers.Singleton(
        httpx.AsyncClient, limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        headers={"User-Agent": "ova"},
    )
    hf = providers.Singleton(make_hf_client, settings, http)
    fallback = settings.provided.ai_fallback_local

    image_pool = providers.Singleton(InferencePool, "images", workers=settings.provided.inference_workers,
                                     queue=settings.provided.inference_queue)
    detection_pool = providers.Singleton(InferencePool, "detection", workers=settings.provided.inference_workers,
                                         queue=settings.provided.inference_queue)
    asl_pool = providers.Singleton(InferencePool, "asl", workers=settings.provided.inference_workers,
                                   queue=settings.provided.inference_queue)
    stt_pool = providers.Singleton(InferencePool, "stt", workers=settings.provided.inference_workers,
                                   queue=settings.provided.inference_queue)
    tts_pool = providers.Singleton(InferencePool, "tts", workers=settings.provided.inference_workers,
                                   queue=settings.provided.inference_queue)

    decoder = providers.Singleton(PillowImageDecoder, max_bytes=max_upload_bytes,
                                  max_pixels=settings.provided.max_image_pixels, pool=image_pool)

    local_detector = providers.Singleton(YoloDetector, pool=detection_pool)
    local_captioner = providers.Singleton(TemplateCaptioner)
    local_sign = providers.Singleton(MediapipeSignRecognizer, pool=asl_pool,
                                     classifier=settings.provided.asl_local_model)
    local_stt = providers.Singleton(WhisperSpeechToText, pool=stt_pool)
    local_tts = providers.Singleton(HibariTextToSpeech, pool=tts_pool)

    detector = providers.Selector(
        settings.provided.detection_provider.value,
        local=local_detector,
        huggingface=providers.Singleton(
            remote_or_fallback, providers.Singleton(HfObjectDetector, hf, settings.provided.hf_detection_model),
            local_detector.provider, ObjectDetectorWithFallback, fallback),
        fake=providers.Singleton(FakeObjectDetector),
    )
    captioner = providers.Selector(
        settings.provided.captioning_provider.value,
        local=local_captioner,
        huggingface=providers.Singleton(
            remote_or_fallback, providers.Singleton(HfImageCaptioner, hf, settings.provided.hf_caption_model),
            local_captioner.provider, ImageCaptionerWithFallback, fallback),
        fake=providers.Singleton(FakeImageCaptioner),
    )
    sign = providers.Selector(
        settings.provided.asl_provider.value,
        local=local_sign,
        huggingface=providers.Singleton(
            remote_or_fallback,
            providers.Singleton(GradioSignRecognizer, hf, space_url=settings.provided.hf_asl_space_url,
                                model_name=settings.provided.hf_modelo_sign),
            local_sign.provider, SignRecognizerWithFallback, fallback),
        fake=providers.Singleton(FakeSignRecognizer),
    )
    stt = providers.Selector(
        settings.provided.stt_provider.value,
        local=local_stt,
        huggingface=providers.Singleton(
            remote_or_fallback, providers.Singleton(HfSpeechToText, hf, settings.provided.hf_stt_model),
            local_stt.provider, SpeechToTextWithFallback, fallback),
        fake=providers.Singleton(FakeSpeechToText),
    )
    tts = providers.Selector(
        settings.provided.tts_provider.value,
        local=local_tts,
        huggingface=providers.Singleton(
            remote_or_fallback, providers.Singleton(HfTextToSpeech, hf, settings.provided.hf_tts_model),
            local_tts.provider, TextToSpeechWithFallback, fallback),
        fake=providers.Singleton(FakeTextToSpeech),
    )


def selected_models(ai: Any) -> dict[str, Any]:
    """The adapter serving each capability, by the names ``/status/health`` uses (``ai`` is an ``AI``
    container or the provider that holds one)."""
    return {"detection": ai.detector(), "captioning": ai.captioner(), "asl": ai.sign(), "stt": ai.stt(),
            "tts": ai.tts()}


def loadable_models(ai: Any) -> list[Any]:
    """The local models in use (directly or as fallbacks), to load before the first request."""
    found: list[Any] = []
    for adapter in selected_models(ai).values():
        for candidate in (adapter, getattr(adapter, "local", None)):
            if candidate is not None and callable(getattr(candidate, "load", None)) and candidate not in found:
                found.append(candidate)
    return found

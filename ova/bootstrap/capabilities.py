"""The AI capabilities, one declaration each: the one list a new capability is added to.

A declaration says everything the composition root needs about a capability: the name
``/status/health`` reports it by; the ``AiSettings`` field that chooses its provider; the
application port its adapters satisfy; the ``AI`` container's provider that serves it (and
``local_<serves>``, its local model: the one warmed up at start whenever it is in use, directly or
as the fallback of a remote provider); one adapter per provider it accepts; its health probe; and
how a call that falls back adapts its arguments for the local model. From it ``ova.bootstrap.ai``
builds the ``AI`` container's providers, the warm-up list and the model health probes.

The providers a capability accepts are the configuration's safety rule too: ``AI_PROVIDERS``, in
the configuration layer (which may not import this one), refuses any other at start-up.
``problems`` holds the two together and checks that each declaration is complete; the ``AI``
container refuses to build from an incomplete registry.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from attrs import frozen
from dependency_injector import providers

from ova.adapters.ai.fakes.chat import FakeChatModel
from ova.adapters.ai.fakes.sign import FakeSignRecognizer
from ova.adapters.ai.fakes.speech import FakeSpeechToText, FakeTextToSpeech
from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.adapters.ai.fakes.vision import FakeImageCaptioner, FakeObjectDetector
from ova.adapters.ai.fallback import LocalArguments, default_voice_when_unknown, fallback_class
from ova.adapters.ai.huggingface.captioning import HfImageCaptioner
from ova.adapters.ai.huggingface.detection import HfObjectDetector
from ova.adapters.ai.huggingface.sign_space import GradioSignRecognizer
from ova.adapters.ai.huggingface.speech import HfSpeechToText, HfTextToSpeech
from ova.adapters.ai.local.captioning import TemplateCaptioner
from ova.adapters.ai.local.detection import YoloDetector
from ova.adapters.ai.local.ocr import TesseractReader
from ova.adapters.ai.local.ocr_probe import TextReaderProbe
from ova.adapters.ai.local.sign import MediapipeSignRecognizer
from ova.adapters.ai.pool import InferencePool
from ova.adapters.models.store import LocalModelStore
from ova.adapters.probes import ModelProbe
from ova.application.ports.chat import ChatModel
from ova.application.ports.health import HealthProbe
from ova.application.ports.speech import SpeechToText, TextToSpeech
from ova.application.ports.vision import ImageCaptioner, ObjectDetector, SignRecognizer, TextReader
from ova.bootstrap.factories import (
    make_local_chat,
    make_local_stt,
    make_local_tts,
    make_remote_chat,
    verified_file,
    verified_folder,
)
from ova.bootstrap.remote_speech import make_remote_stt, make_remote_tts
from ova.bootstrap.remote_vision import REMOTE_OCR_ADAPTERS, make_remote_captioner
from ova.config.settings import AiSettings, Provider
from ova.config.variables import AI_PROVIDERS

if TYPE_CHECKING:
    from ova.bootstrap.ai import AI

Adapter = Callable[["type[AI]"], providers.Provider[Any]]
"""Builds one adapter's provider from the ``AI`` container's shared parts (settings, clients)."""

REQUIRED = frozenset({Provider.LOCAL, Provider.FAKE})
"""Every capability runs offline (the local model, also the remote's fallback) and in tests (the fake)."""


class ProbeFactory(Protocol):
    def __call__(self, name: str, adapter: object, provider: str, *, warming_up: bool) -> HealthProbe: ...


@frozen
class Capability:
    """``name``: the key in ``/status/health``. ``setting``: the ``AiSettings`` field that chooses the
    provider. ``port``: the Protocol every adapter satisfies (the fallback wrapper is built from it).
    ``serves``: the ``AI`` container's provider of the adapter in use. ``adapters``: one builder per
    provider; ``local`` and ``fake`` are required, the others are remote. ``probe``: builds its
    health probe. ``local_arguments``: how a call that falls back adapts its keyword arguments."""

    name: str
    setting: str
    port: type[Any]
    serves: str
    adapters: Mapping[Provider, Adapter]
    probe: ProbeFactory = ModelProbe
    local_arguments: LocalArguments | None = None
    local_model: Callable[[AiSettings], str | tuple[str, ...] | None] | None = None
    """The catalogue entry its local adapter runs, given the settings, or the entries when it runs
    several (the ASL recognizer: hand landmarks, then a classifier). ``None``, or a function that
    gives ``None``: no weights of the catalogue, e.g. a template."""

    @property
    def local(self) -> str:
        """The ``AI`` container's provider of the local model."""
        return f"local_{self.serves}"

    @property
    def remote(self) -> Mapping[Provider, Adapter]:
        """The adapters that call a remote provider (wrapped in a fallback when ``AI_FALLBACK_LOCAL`` is on)."""
        return {provider: adapter for provider, adapter in self.adapters.items() if provider not in REQUIRED}

    def local_models(self, settings: AiSettings) -> tuple[str, ...]:
        """The catalogue entries its local adapter runs with these settings (``()``: none)."""
        names = self.local_model(settings) if self.local_model is not None else None
        if names is None:
            return ()
        return (names,) if isinstance(names, str) else names

    def provider_in(self, settings: AiSettings) -> Provider:
        provider: Provider = getattr(settings, self.setting)
        return provider


HANDS_MODEL = "mediapipe-hands"
"""The catalogue entry of the hand landmarks every local ASL classifier reads."""
TEXT_DETECTOR_MODEL = "pp-ocrv4-det"
"""The catalogue entry of the text detector that finds the lines Tesseract (a system program) reads."""
ENGLISH_VOICE_MODEL = "hibari"
"""The catalogue entry of the English voice that goes with Kokoro (``make_local_tts``)."""


def local_tts_models(settings: AiSettings) -> tuple[str, ...] | None:
    """``TTS_LOCAL_VOICE=kokoro``: Kokoro speaks Spanish and hibari English; ``espeak``: no catalogue model."""
    if settings.tts_local_model is None:
        return None
    return (settings.tts_local_model, ENGLISH_VOICE_MODEL)


def make_pool(name: str, settings: AiSettings) -> InferencePool:
    return InferencePool(name, workers=settings.inference_workers, queue=settings.inference_queue)


def pool(ai: type[AI], name: str) -> providers.Singleton[InferencePool]:
    """A capability's own inference pool (``AI_INFERENCE_WORKERS`` threads, ``AI_INFERENCE_QUEUE`` waiting)."""
    return providers.Singleton(make_pool, name=name, settings=ai.settings)


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        name="detection", setting="detection_provider", port=ObjectDetector, serves="detector",
        adapters={
            Provider.LOCAL: lambda ai: providers.Singleton(
                YoloDetector, pool=pool(ai, "detection"),
                locate=providers.Callable(verified_folder, store=ai.model_store, name="yolov4-tiny")),
            Provider.HUGGINGFACE: lambda ai: providers.Singleton(
                HfObjectDetector, client=ai.hf, model=ai.settings.provided.hf_detection_model),
            Provider.FAKE: lambda ai: providers.Singleton(FakeObjectDetector),
        },
        local_model=lambda settings: "yolov4-tiny",
    ),
    Capability(
        name="captioning", setting="captioning_provider", port=ImageCaptioner, serves="captioner",
        adapters={
            Provider.LOCAL: lambda ai: providers.Singleton(TemplateCaptioner),
            Provider.HUGGINGFACE: lambda ai: providers.Singleton(
                HfImageCaptioner, client=ai.hf, model=ai.settings.provided.hf_caption_model),
            Provider.OPENAI_COMPATIBLE: lambda ai: providers.Singleton(
                make_remote_captioner, settings=ai.settings, http=ai.http),
            Provider.FAKE: lambda ai: providers.Singleton(FakeImageCaptioner),
        },
    ),
    Capability(
        name="asl", setting="asl_provider", port=SignRecognizer, serves="sign",
        adapters={
            Provider.LOCAL: lambda ai: providers.Singleton(
                MediapipeSignRecognizer, pool=pool(ai, "asl"), classifier=ai.settings.provided.asl_local_model,
                time_budget_ms=ai.settings.provided.asl_time_budget_ms),
            Provider.HUGGINGFACE: lambda ai: providers.Singleton(
                GradioSignRecognizer, client=ai.hf, space_url=ai.settings.provided.hf_asl_space_url,
                model_name=ai.settings.provided.hf_modelo_sign),
            Provider.FAKE: lambda ai: providers.Singleton(FakeSignRecognizer),
        },
        local_model=lambda settings: (HANDS_MODEL, settings.asl_local_model),
    ),
    Capability(
        name="stt", setting="stt_provider", port=SpeechToText, serves="stt",
        adapters={
            Provider.LOCAL: lambda ai: providers.Singleton(
                make_local_stt, store=ai.model_store, settings=ai.settings, pool=pool(ai, "stt"),
                default_language=ai.default_language),
            Provider.HUGGINGFACE: lambda ai: providers.Singleton(
                HfSpeechToText, client=ai.hf, model=ai.settings.provided.hf_stt_model),
            Provider.OPENAI_COMPATIBLE: lambda ai: providers.Singleton(
                make_remote_stt, settings=ai.settings, http=ai.http),
            Provider.FAKE: lambda ai: providers.Singleton(FakeSpeechToText),
        },
        local_model=lambda settings: settings.stt_local_model,
    ),
    Capability(
        name="tts", setting="tts_provider", port=TextToSpeech, serves="tts",
        adapters={
            Provider.LOCAL: lambda ai: providers.Singleton(
                make_local_tts, store=ai.model_store, settings=ai.settings, pool=pool(ai, "tts")),
            Provider.HUGGINGFACE: lambda ai: providers.Singleton(
                HfTextToSpeech, client=ai.hf, model=ai.settings.provided.hf_tts_model),
            Provider.OPENAI_COMPATIBLE: lambda ai: providers.Singleton(
                make_remote_tts, settings=ai.settings, http=ai.http),
            Provider.FAKE: lambda ai: providers.Singleton(FakeTextToSpeech),
        },
        local_arguments=default_voice_when_unknown,
        local_model=local_tts_models,
    ),
    Capability(
        name="chat", setting="chat_provider", port=ChatModel, serves="chat",
        adapters={
            Provider.LOCAL: lambda ai: providers.Singleton(
                make_local_chat, store=ai.model_store, settings=ai.settings, chat=ai.chat_settings),
            Provider.HUGGINGFACE: lambda ai: providers.Singleton(
                make_remote_chat, provider="Hugging Face", base_url=ai.chat_settings.provided.hf_chat_url,
                api_key=ai.settings.provided.hf_api_key, settings=ai.settings, chat=ai.chat_settings, http=ai.http),
            Provider.OPENAI_COMPATIBLE: lambda ai: providers.Singleton(
                make_remote_chat, provider="El servidor de chat", base_url=ai.chat_settings.provided.api_url,
                api_key=ai.chat_settings.provided.api_key, settings=ai.settings, chat=ai.chat_settings, http=ai.http),
            Provider.FAKE: lambda ai: providers.Singleton(FakeChatModel),
        },
        local_model=lambda settings: settings.chat_local_model,
    ),
    Capability(
        name="ocr", setting="ocr_provider", port=TextReader, serves="ocr",
        adapters={
            Provider.LOCAL: lambda ai: providers.Singleton(
                TesseractReader, pool=pool(ai, "ocr"), min_confidence=ai.settings.provided.ocr_min_confidence,
                timeout_s=ai.settings.provided.ocr_timeout_s,
                locate_detector=providers.Callable(verified_file, store=ai.model_store, name=TEXT_DETECTOR_MODEL)),
            Provider.FAKE: lambda ai: providers.Singleton(FakeTextReader),
            **REMOTE_OCR_ADAPTERS,
        },
        probe=TextReaderProbe,
        local_model=lambda settings: TEXT_DETECTOR_MODEL,
    ),
)


def problems(
    capabilities: Collection[Capability] = CAPABILITIES,
    accepted: Mapping[str, frozenset[Provider]] = AI_PROVIDERS,
) -> list[str]:
    """What is missing or inconsistent in ``capabilities`` (``[]`` when complete): a capability
    without a local or fake adapter, without an adapter for a provider the configuration accepts for
    it (or with one the configuration refuses), without a probe, with a port the fallback cannot
    wrap; a provider setting of ``AiSettings`` no capability declares; a ``Provider`` no adapter serves."""
    found: list[str] = []
    settings = provider_settings()
    for kind in ("name", "setting", "serves"):
        values = [getattr(capability, kind) for capability in capabilities]
        found += [f"two capabilities have the {kind} {value!r}" for value in sorted(set(values))
                  if values.count(value) > 1]
    for capability in capabilities:
        where = f"capability {capability.name!r}"
        declared = frozenset(capability.adapters)
        if capability.setting not in settings:
            found.append(f"{where}: AiSettings has no provider setting {capability.setting!r}")
        if capability.setting not in accepted:
            found.append(f"{where}: the configuration's AI_PROVIDERS has no rule for {capability.setting!r}")
        else:
            found += [f"{where}: no adapter for the provider {p.value!r}" for p in Provider
                      if p in accepted[capability.setting] | REQUIRED and p not in declared]
            found += [f"{where}: an adapter for {p.value!r}, which the configuration refuses for it"
                      for p in Provider if p in declared - accepted[capability.setting]]
        if not callable(capability.probe):
            found.append(f"{where}: no health probe")
        try:
            fallback_class(capability.port, capability.local_arguments)
        except TypeError as error:
            found.append(f"{where}: its port cannot fall back to the local model ({error})")
    declared_settings = {capability.setting for capability in capabilities}
    found += [f"the provider setting {setting!r} has no capability" for setting in sorted(settings | set(accepted))
              if setting not in declared_settings]
    served = {provider for capability in capabilities for provider in capability.adapters}
    found += [f"no capability has an adapter for the provider {p.value!r}" for p in Provider if p not in served]
    return found


def models_in_use(
    settings: AiSettings, capabilities: Collection[Capability] = CAPABILITIES,
) -> dict[str, tuple[str, ...]]:
    """Catalogue model → the capabilities that run it here (as their provider, or as the fallback of a remote one)."""
    used: dict[str, tuple[str, ...]] = {}
    for capability in capabilities:
        provider = capability.provider_in(settings)
        if provider is Provider.LOCAL or (provider in capability.remote and settings.ai_fallback_local):
            for name in capability.local_models(settings):  # none: this option runs no catalogue model
                used[name] = (*used.get(name, ()), capability.name)
    return used


def make_model_store(settings: AiSettings) -> LocalModelStore:
    return LocalModelStore(Path(settings.models_dir), used_by=models_in_use(settings))


def provider_settings() -> frozenset[str]:
    """The fields of ``AiSettings`` that choose a ``Provider``."""
    hints = typing.get_type_hints(AiSettings)
    return frozenset(field.name for field in attrs.fields(AiSettings) if hints[field.name] is Provider)

"""Which AI adapter serves each capability: local models, Hugging Face or, for chat, any
OpenAI-compatible server (each optionally falling back to the local model) or fakes, as configured.
Nothing outside the container knows which one runs.

The capabilities themselves are declared in ``ova.bootstrap.capabilities``; the ``AI`` container
holds what they share and, for each declaration, gets two providers: ``local_<serves>`` (the local
model) and ``<serves>`` (the adapter the settings choose), e.g. ``ai.local_detector`` and ``ai.detector``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any

import httpx
from dependency_injector import containers, providers

from ova.adapters.ai.fallback import Fallback, LocalArguments, with_fallback
from ova.adapters.ai.huggingface.client import HuggingFaceClient
from ova.adapters.ai.images import PillowImageDecoder
from ova.adapters.ai.resilience import CircuitBreaker
from ova.adapters.models.store import LocalModelStore
from ova.adapters.probes import ModelProbe
from ova.application.ports.health import HealthProbe
from ova.application.ports.models import LocalModel
from ova.bootstrap.capabilities import CAPABILITIES, Capability, make_model_store, make_pool, problems
from ova.config.settings import AiSettings, ChatSettings, Provider


def make_hf_client(settings: AiSettings, http: httpx.AsyncClient) -> HuggingFaceClient:
    breakers = functools.partial(
        CircuitBreaker, failure_threshold=settings.circuit_failures, reset_after_s=settings.circuit_reset_s
    )
    return HuggingFaceClient(settings.hf_api_url, settings.hf_api_key, http=http, timeout_s=settings.ai_timeout_s,
                             breaker_factory=breakers)


def remote_or_fallback(remote: Any, local: Callable[[], Any], port: type[Any], local_arguments: LocalArguments | None,
                       enabled: bool) -> Any:
    """The remote adapter, wrapped so that ``ModelUnavailable`` falls back to the local one when
    ``AI_FALLBACK_LOCAL`` is on (the local model is then only built if the option is on)."""
    return with_fallback(port, remote, local(), local_arguments=local_arguments) if enabled else remote


class AI(containers.DeclarativeContainer):
    """What the capabilities share; their own providers are added by ``install`` (below)."""

    # Annotated: the capability declarations name them, and mypy reads those before this class.
    settings: providers.Dependency[AiSettings] = providers.Dependency(instance_of=AiSettings)
    chat_settings: providers.Dependency[ChatSettings] = providers.Dependency(instance_of=ChatSettings)
    max_upload_bytes = providers.Dependency(instance_of=int)
    default_language: providers.Dependency[str] = providers.Dependency(instance_of=str)
    """``DEFAULT_LANGUAGE``: what a voice note is heard in when nothing else says."""

    http: providers.Singleton[httpx.AsyncClient] = providers.Singleton(
        httpx.AsyncClient, limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        headers={"User-Agent": "ova"},
    )
    hf: providers.Singleton[HuggingFaceClient] = providers.Singleton(make_hf_client, settings=settings, http=http)
    fallback = settings.provided.ai_fallback_local

    model_store: providers.Singleton[LocalModelStore] = providers.Singleton(make_model_store, settings=settings)
    """The model catalogue's files on this machine (``OVA_MODELS_DIR``), verified before use."""

    image_pool = providers.Singleton(make_pool, name="images", settings=settings)
    decoder = providers.Singleton(PillowImageDecoder, max_bytes=max_upload_bytes,
                                  max_pixels=settings.provided.max_image_pixels, pool=image_pool)


def install(container: type[AI], capability: Capability) -> None:
    """Adds ``local_<serves>`` and ``<serves>`` (a selector on the capability's provider setting) to
    the container; a remote adapter is wrapped in the local fallback when it is enabled."""
    local = capability.adapters[Provider.LOCAL](container)
    choices: dict[str, providers.Provider[Any]] = {Provider.LOCAL.value: local}
    for provider, build in capability.adapters.items():
        if provider is Provider.LOCAL:
            continue
        adapter = build(container)
        if provider in capability.remote:
            adapter = providers.Singleton(remote_or_fallback, remote=adapter, local=local.provider,
                                          port=capability.port, local_arguments=capability.local_arguments,
                                          enabled=container.fallback)
        choices[provider.value] = adapter
    setattr(container, capability.local, local)
    setattr(container, capability.serves,
            providers.Selector(getattr(container.settings.provided, capability.setting).value, **choices))


def install_all(container: type[AI], capabilities: Collection[Capability] = CAPABILITIES) -> None:
    """Installs every capability, after checking the registry is complete (``TypeError`` if not)."""
    incomplete = problems(capabilities)
    if incomplete:
        raise TypeError("The AI capability registry is incomplete:\n" + "\n".join(f"  - {p}" for p in incomplete))
    for capability in capabilities:
        install(container, capability)


install_all(AI)


def selected_models(ai: Any) -> dict[str, Any]:
    """The adapter serving each capability, by the names ``/status/health`` uses (``ai`` is an ``AI``
    container or the provider that holds one)."""
    return {capability.name: getattr(ai, capability.serves)() for capability in CAPABILITIES}


def model_probes(ai: Any, settings: AiSettings) -> list[HealthProbe]:
    """Each capability's health probe, on the adapter in use."""
    models = selected_models(ai)
    return [
        capability.probe(capability.name, models[capability.name], capability.provider_in(settings).value,
                         warming_up=settings.warm_up)
        for capability in CAPABILITIES
    ]


def readiness_model_probes(ai: Any, settings: AiSettings) -> list[HealthProbe]:
    """What readiness waits for among the models: the chat's, loaded when it runs here (while the
    warm-up loads it) and its engine answering when it is an external one (``ModelProbe``'s
    ``for_readiness``). Only the chat: it is what most users come for, and the other capabilities'
    routes answer 503 ``model_unavailable`` on their own while their model is missing."""
    chat = next(capability for capability in CAPABILITIES if capability.name == "chat")
    return [ModelProbe(chat.name, getattr(ai, chat.serves)(), chat.provider_in(settings).value,
                       warming_up=settings.warm_up, for_readiness=True)]


def loadable_models(ai: Any) -> list[LocalModel]:
    """The local models in use (directly or as fallbacks), to load before the first request."""
    found: list[LocalModel] = []
    for adapter in selected_models(ai).values():
        for candidate in (adapter, adapter.local if isinstance(adapter, Fallback) else None):
            if isinstance(candidate, LocalModel) and candidate not in found:
                found.append(candidate)
    return found

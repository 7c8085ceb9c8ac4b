"""How each AI adapter that needs more than its constructor is built from the settings: the local
models get their verified files from the model store when they first load (never at start-up), the
remote chat adapters their client, deadline and circuit breaker. The capability declarations
(``ova.bootstrap.capabilities``) name these factories."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

import httpx

from ova.adapters.ai.local.by_language import ByLanguage
from ova.adapters.ai.local.chat import LlamaChatModel
from ova.adapters.ai.local.espeak import EspeakTextToSpeech
from ova.adapters.ai.local.kokoro import KokoroFiles, KokoroTextToSpeech
from ova.adapters.ai.local.speech import HibariTextToSpeech
from ova.adapters.ai.local.whisper import WhisperSpeechToText
from ova.adapters.ai.openai_chat import OpenAICompatibleChatModel
from ova.adapters.ai.pool import InferencePool
from ova.adapters.ai.resilience import CircuitBreaker
from ova.adapters.models.store import LocalModelStore
from ova.config.settings import AiSettings, ChatSettings


def verified_folder(store: LocalModelStore, name: str) -> Callable[[], Path]:
    """Gives, when called (on first load, not at start-up), the model's folder with every file verified."""
    return functools.partial(store.folder, name)


def verified_file(store: LocalModelStore, name: str) -> Callable[[], Path]:
    """Gives, when called (on first load), the verified path of a one-file model."""
    return functools.partial(store.file, name, store.entry(name).files[0].name)


def make_local_chat(store: LocalModelStore, settings: AiSettings, chat: ChatSettings) -> LlamaChatModel:
    """The configured catalogue model, its GGUF verified (and joined from its packages) when first loaded."""
    entry = store.entry(settings.chat_local_model)
    gguf = entry.files[0].name
    return LlamaChatModel(
        threads=chat.threads, prompt_threads=chat.prompt_threads or os.cpu_count(),
        context_window=chat.context_window, max_tokens=chat.max_tokens,
        temperature=chat.temperature, concurrency=chat.concurrency, queue=chat.queue,
        repeat_penalty=chat.repeat_penalty, name=entry.title,
        weights=lambda: str(store.file(entry.name, gguf)),
    )


def make_local_tts(store: LocalModelStore, settings: AiSettings, pool: InferencePool) -> ByLanguage:
    """``TTS_LOCAL_VOICE``: ``kokoro`` (Kokoro-82M for Spanish, its files verified when first loaded;
    hibari for English) or ``espeak`` (espeak-ng for both)."""
    if settings.tts_local_model is None:
        espeak = EspeakTextToSpeech()
        return ByLanguage({"es": espeak, "en": espeak})
    name = settings.tts_local_model

    def files() -> KokoroFiles:
        return KokoroFiles(model=store.file(name, "kokoro-v1.0.int8.onnx"), vocab=store.file(name, "vocab.json"),
                           voices=store.file(name, "voices_ja.npz"))

    kokoro = KokoroTextToSpeech(files=files, pool=pool, threads=settings.tts_threads)
    return ByLanguage({"es": kokoro, "en": HibariTextToSpeech(pool=pool, threads=settings.tts_threads)})


def make_local_stt(store: LocalModelStore, settings: AiSettings, pool: InferencePool,
                   default_language: str) -> WhisperSpeechToText:
    """The configured catalogue Whisper, its folder verified (and joined from its packages) when first loaded."""
    entry = store.entry(settings.stt_local_model)
    return WhisperSpeechToText(
        pool=pool, name=entry.name, folder=lambda: store.folder(entry.name), languages=entry.languages,
        default_language=default_language,
        min_language_probability=settings.stt_min_language_probability, cpu_threads=settings.stt_threads,
    )


def make_remote_chat(provider: str, base_url: str, api_key: str | None, settings: AiSettings, chat: ChatSettings,
                     http: httpx.AsyncClient) -> OpenAICompatibleChatModel:
    """The chat-completions adapter for Hugging Face's router or any OpenAI-compatible server."""
    breaker = CircuitBreaker(f"{provider} ({settings.chat_model})", failure_threshold=settings.circuit_failures,
                             reset_after_s=settings.circuit_reset_s)
    return OpenAICompatibleChatModel(base_url, api_key, settings.chat_model, http=http, timeout_s=settings.ai_timeout_s,
                                     breaker=breaker, max_tokens=chat.max_tokens, temperature=chat.temperature,
                                     probe_ttl_s=settings.probe_ttl_s)

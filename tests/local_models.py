"""The local models as the server finds them: the model store in ``OVA_MODELS_DIR`` (default
``data/models``, where ``make run`` and the e2e servers keep them), so a test joins and checks a
split model once, not once per test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ova.adapters.ai.local.whisper import WhisperSpeechToText
from ova.adapters.ai.pool import InferencePool
from ova.adapters.models.store import LocalModelStore


def model_store() -> LocalModelStore:
    return LocalModelStore(Path(os.environ.get("OVA_MODELS_DIR", "data/models")))


def whisper(pool: InferencePool, name: str = "whisper-base", **options: Any) -> WhisperSpeechToText:
    """The catalogue's ``name`` behind ova's adapter, as ``make_local_stt`` builds it (not loaded yet)."""
    store = model_store()
    entry = store.entry(name)
    return WhisperSpeechToText(pool=pool, name=name, folder=lambda: store.folder(name),
                               languages=entry.languages, cpu_threads=2, **options)

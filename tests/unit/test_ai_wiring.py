from __future__ import annotations

from pathlib import Path

import pytest

from ova.adapters.ai.fakes.vision import FakeObjectDetector
from ova.adapters.ai.huggingface.detection import HfObjectDetector
from ova.adapters.ai.local.detection import YoloDetector
from ova.adapters.ai.resilience import ObjectDetectorWithFallback
from ova.bootstrap import build_container, close_container
from ova.bootstrap.ai import AI, loadable_models
from ova.config import load_settings


def ai_for(tmp_path: Path, **environ: str) -> AI:
    return AI(settings=load_settings(environ, env_file=tmp_path / "none").ai, max_upload_bytes=1024)


@pytest.mark.parametrize(("provider", "expected"), [
    ("local", YoloDetector), ("huggingface", HfObjectDetector), ("fake", FakeObjectDetector),
])
def test_the_configured_provider_serves_the_capability(tmp_path: Path, provider: str, expected: type) -> None:
    assert type(ai_for(tmp_path, DETECTION_PROVIDER=provider).detector()) is expected


def test_fallback_wraps_the_remote_adapter_around_the_shared_local_model(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, DETECTION_PROVIDER="huggingface", AI_FALLBACK_LOCAL="true")
    detector = ai.detector()
    assert isinstance(detector, ObjectDetectorWithFallback)
    assert detector.local is ai.local_detector() and detector is ai.detector()
    assert detector.local in loadable_models(ai)


def test_fakes_and_remote_adapters_need_no_model_loading(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, DETECTION_PROVIDER="huggingface", CAPTIONING_PROVIDER="fake", ASL_PROVIDER="fake",
                STT_PROVIDER="fake",
                TTS_PROVIDER="fake")
    assert loadable_models(ai) == []


async def test_health_shows_each_capability_with_its_provider_and_circuit(tmp_path: Path) -> None:
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "h.db"), "DETECTION_PROVIDER": "huggingface",
                              "ASL_PROVIDER": "fake"}, env_file=tmp_path / "none")
    container = build_container(settings)
    try:
        report = await container.check_health()()
    finally:
        await close_container(container)
    assert report.checks["detection"].provider == "huggingface"
    assert report.checks["detection"].circuit == "closed"
    assert report.checks["asl"].provider == "fake" and report.checks["asl"].status == "ok"
    assert report.checks["stt"].status == "degraded" and report.checks["stt"].detail == "cargando el modelo"

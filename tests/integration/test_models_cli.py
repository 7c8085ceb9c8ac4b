"""``ova models list | verify`` on the real catalogue and installed packages, in a cache folder of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.server import LOCAL_AI, server_env
from tests.integration.test_cli import ova


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**server_env(tmp_path), "OVA_MODELS_DIR": str(tmp_path / "models")}


def test_list_names_every_model_its_licence_and_what_runs_it(env: dict[str, str]) -> None:
    result = ova("models", "list", env={**env, **LOCAL_AI, "CHAT_LOCAL_MODEL": "smollm2-135m"})
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:-1]}
    assert {"qwen2.5-coder-1.5b", "smollm2-135m", "whisper-base", "kokoro-82m", "yolov4-tiny"} <= set(rows)
    assert rows["smollm2-135m"].rstrip().endswith("chat") and "Apache-2.0" in rows["smollm2-135m"]
    assert rows["qwen2.5-coder-1.5b"].rstrip().endswith("-") and rows["whisper-base"].rstrip().endswith("stt")
    assert rows["mediapipe-hands"].rstrip().endswith("asl") and rows["ova-letters"].rstrip().endswith("asl")
    assert rows["smart-gestures"].rstrip().endswith("-") and "GPL-3.0-or-later" in rows["smart-gestures"]
    assert rows["hibari"].rstrip().endswith("tts") and rows["kokoro-82m"].rstrip().endswith("tts")


def test_the_sign_and_english_voice_models_verify_against_the_installed_files(env: dict[str, str]) -> None:
    names = ("mediapipe-hands", "ova-letters", "smart-gestures", "asl-alpnum", "hibari")
    result = ova("models", "verify", *names, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [word for name in names for word in (name, "verified")]


def test_verify_hashes_the_files_and_removes_a_damaged_cached_copy(env: dict[str, str], tmp_path: Path) -> None:
    good = ova("models", "verify", "yolov4-tiny", env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "verified" in good.stdout
    cached = tmp_path / "models" / "yolov4-tiny" / "yolov4-tiny.weights"  # a pulled copy, then damaged
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not the weights")
    again = ova("models", "verify", "yolov4-tiny", env=env)
    assert again.returncode == 0, again.stdout  # the package's own copy is right
    assert "yolov4-tiny.weights: la copia de la caché estaba dañada" in again.stdout
    assert not cached.exists()


def test_verify_of_an_unknown_model_names_the_catalogue(env: dict[str, str]) -> None:
    result = ova("models", "verify", "gpt-5", env=env)
    assert result.returncode == 2
    assert "qwen2.5-coder-1.5b" in result.stderr


def test_pull_of_a_model_already_installed_downloads_nothing(env: dict[str, str]) -> None:
    result = ova("models", "pull", "smollm2-135m", env=env)  # in its package, no upstream URL needed
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout

"""The capability registry: complete, in step with the configuration, and what the container is built from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import attrs
import pytest

from ova.adapters.ai.fallback import port_members
from ova.bootstrap.ai import AI, install_all, loadable_models, model_probes, selected_models
from ova.bootstrap.capabilities import CAPABILITIES, Capability, models_in_use, problems, provider_settings
from ova.config import load_settings
from ova.config.settings import Provider
from ova.config.variables import AI_PROVIDERS, VARIABLES

HEALTH_NAMES = ("detection", "captioning", "asl", "stt", "tts", "chat", "ocr")
BY_NAME = {capability.name: capability for capability in CAPABILITIES}


def variable_of(setting: str) -> str:
    return next(v.name for v in VARIABLES if v.section == "ai" and v.attribute == setting)


def ai_for(tmp_path: Path, **environ: str) -> AI:
    settings = load_settings(environ, env_file=tmp_path / "none")
    return AI(settings=settings.ai, chat_settings=settings.chat, max_upload_bytes=1024,
              default_language=settings.default_language)


def test_the_registry_is_complete_and_in_step_with_the_configuration() -> None:
    assert problems() == []


def test_the_capabilities_are_the_ones_health_reports() -> None:
    assert tuple(BY_NAME) == HEALTH_NAMES
    assert provider_settings() == set(AI_PROVIDERS) == {c.setting for c in CAPABILITIES}
    assert {c.setting: frozenset(c.adapters) for c in CAPABILITIES} == AI_PROVIDERS


def every_accepted_provider() -> Iterator[tuple[Capability, Provider]]:
    for capability in CAPABILITIES:
        for provider in Provider:
            if provider in AI_PROVIDERS[capability.setting]:
                yield capability, provider


@pytest.mark.parametrize(("capability", "provider"), list(every_accepted_provider()),
                         ids=lambda value: getattr(value, "name", None) or str(value))
@pytest.mark.parametrize("fallback", ["false", "true"])
def test_every_provider_the_settings_accept_builds_an_adapter_for_the_port(
    tmp_path: Path, capability: Capability, provider: Provider, fallback: str,
) -> None:
    ai = ai_for(tmp_path, **{variable_of(capability.setting): provider.value, "AI_FALLBACK_LOCAL": fallback})
    adapter = getattr(ai, capability.serves)()
    assert adapter is getattr(ai, capability.serves)()  # one per container
    for member in port_members(capability.port):
        assert hasattr(type(adapter), member) or hasattr(adapter, member), f"{type(adapter).__name__}.{member}"
    assert selected_models(ai)[capability.name] is adapter


def broken(which: str, **changes: Any) -> list[Capability]:
    """The registry with the capability named ``which`` changed."""
    return [attrs.evolve(c, **changes) if c.name == which else c for c in CAPABILITIES]


def without(capability: Capability, provider: Provider) -> dict[Provider, Any]:
    return {p: adapter for p, adapter in capability.adapters.items() if p is not provider}


NO_CHAT = [c for c in CAPABILITIES if c.name != "chat"]
NO_OPENAI_COMPATIBLE = [c for c in CAPABILITIES if Provider.OPENAI_COMPATIBLE not in c.adapters]


class Blocking(Protocol):
    def run(self) -> int: ...


@pytest.mark.parametrize(("registry", "expected"), [
    (broken("detection", adapters=without(BY_NAME["detection"], Provider.FAKE)),
     "capability 'detection': no adapter for the provider 'fake'"),
    (broken("stt", adapters=without(BY_NAME["stt"], Provider.HUGGINGFACE)),
     "capability 'stt': no adapter for the provider 'huggingface'"),
    (broken("tts", adapters=without(BY_NAME["tts"], Provider.LOCAL)),
     "capability 'tts': no adapter for the provider 'local'"),
    (broken("asl", adapters={**BY_NAME["asl"].adapters, Provider.OPENAI_COMPATIBLE: BY_NAME["asl"].adapters[
        Provider.FAKE]}),
     "capability 'asl': an adapter for 'openai-compatible', which the configuration refuses for it"),
    (broken("captioning", probe=None), "capability 'captioning': no health probe"),
    (broken("captioning", setting="caption_provider"),
     "capability 'captioning': AiSettings has no provider setting 'caption_provider'"),
    (broken("chat", port=Blocking), "capability 'chat': its port cannot fall back to the local model"),
    (broken("stt", name="tts"), "two capabilities have the name 'tts'"),
    (NO_CHAT, "the provider setting 'chat_provider' has no capability"),
    (NO_OPENAI_COMPATIBLE, "no capability has an adapter for the provider 'openai-compatible'"),
])
def test_an_incomplete_declaration_is_found(registry: list[Capability], expected: str) -> None:
    assert any(problem.startswith(expected) for problem in problems(registry)), problems(registry)


def test_a_provider_setting_the_configuration_has_no_rule_for_is_found() -> None:
    rules = {setting: accepted for setting, accepted in AI_PROVIDERS.items() if setting != "stt_provider"}
    assert "capability 'stt': the configuration's AI_PROVIDERS has no rule for 'stt_provider'" in problems(
        CAPABILITIES, rules)


def test_the_container_refuses_to_build_from_an_incomplete_registry() -> None:
    class Scratch(AI):
        pass

    with pytest.raises(TypeError, match="no adapter for the provider 'fake'"):
        install_all(Scratch, broken("detection", adapters=without(BY_NAME["detection"], Provider.FAKE)))


def test_health_probes_and_warm_up_follow_the_registry(tmp_path: Path) -> None:
    ai = ai_for(tmp_path, STT_PROVIDER="fake", CHAT_PROVIDER="huggingface")
    settings = load_settings({"STT_PROVIDER": "fake", "CHAT_PROVIDER": "huggingface"}, env_file=tmp_path / "none")

    probes = model_probes(ai, settings.ai)

    assert [probe.name for probe in probes] == list(HEALTH_NAMES)
    assert list(selected_models(ai)) == list(HEALTH_NAMES)
    loaded = {type(model).__name__ for model in loadable_models(ai)}
    assert loaded == {"YoloDetector", "TemplateCaptioner", "MediapipeSignRecognizer", "ByLanguage", "TesseractReader"}


@pytest.mark.parametrize(("local_model", "expected"), [
    (None, ()), (lambda settings: None, ()), (lambda settings: "one", ("one",)),
    (lambda settings: ("hands", "letters"), ("hands", "letters")),
])
def test_a_capability_names_no_one_or_several_catalogue_entries(local_model: Any, expected: tuple[str, ...],
                                                                tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "none").ai
    assert attrs.evolve(BY_NAME["asl"], local_model=local_model).local_models(settings) == expected


@pytest.mark.parametrize(("environ", "used"), [
    ({}, {"mediapipe-hands": ("asl",), "ova-letters": ("asl",)}),
    ({"ASL_LOCAL_MODEL": "asl-alpnum"}, {"mediapipe-hands": ("asl",), "asl-alpnum": ("asl",)}),
    ({"ASL_PROVIDER": "huggingface"}, {}),
    ({"ASL_PROVIDER": "huggingface", "AI_FALLBACK_LOCAL": "true"},
     {"mediapipe-hands": ("asl",), "ova-letters": ("asl",)}),
])
def test_the_local_asl_recognizer_uses_the_hand_model_and_the_chosen_classifier(
    tmp_path: Path, environ: dict[str, str], used: dict[str, tuple[str, ...]],
) -> None:
    settings = load_settings(environ, env_file=tmp_path / "none").ai
    asl_models = {name: by for name, by in models_in_use(settings).items() if "asl" in by}
    assert asl_models == used


@pytest.mark.parametrize(("voice", "used"), [
    ("kokoro", {"kokoro-82m": ("tts",), "hibari": ("tts",)}), ("espeak", {}),
])
def test_the_local_tts_uses_kokoro_and_hibari_unless_it_is_espeak(
    tmp_path: Path, voice: str, used: dict[str, tuple[str, ...]],
) -> None:
    settings = load_settings({"TTS_LOCAL_VOICE": voice}, env_file=tmp_path / "none").ai
    assert {name: by for name, by in models_in_use(settings).items() if "tts" in by} == used

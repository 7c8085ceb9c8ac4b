from __future__ import annotations

from pathlib import Path

import pytest

from ova.config import ConfigError, load_settings
from ova.config.loader import describe
from ova.config.settings import DEV_JWT_SECRET, Environment, Provider
from ova.config.variables import AI_PROVIDERS, VARIABLES
from ova.domain.language import Language

STRONG = "x" * 40


def problems(environ: dict[str, str], tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_settings(environ, env_file=tmp_path / "absent.env")
    return error.value.problems


def test_the_defaults_are_the_embedded_development_setup(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "absent.env")
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.database.url == "sqlite+aiosqlite:///data/ova.db"
    assert "http://localhost:3000" in settings.http.allowed_origins
    assert settings.auth.access_token_expire_minutes == 30 and settings.redis_url is None
    assert settings.ai.chat_provider is Provider.LOCAL


def test_mysql_settings_build_a_url_with_escaped_credentials(tmp_path: Path) -> None:
    settings = load_settings({"USE_SQLITE": "false", "DB_HOST": "db", "DB_USER": "ova", "DB_PASSWORD": "p@ss:w/rd",
                              "DB_NAME": "ovaweb"}, env_file=tmp_path / "absent.env")
    assert settings.database.url == "mysql+aiomysql://ova:p%40ss%3Aw%2Frd@db:3306/ovaweb?charset=utf8mb4"


def test_database_url_overrides_the_other_database_variables(tmp_path: Path) -> None:
    settings = load_settings({"USE_SQLITE": "false", "DATABASE_URL": "sqlite+aiosqlite:///x.db"},
                             env_file=tmp_path / "absent.env")
    assert settings.database.url == "sqlite+aiosqlite:///x.db"


def test_bad_values_name_the_variable_and_the_fix(tmp_path: Path) -> None:
    found = problems({"DB_PORT": "abc", "USE_SQLITE": "maybe", "ENVIRONMENT": "prod",
                      "ALLOWED_ORIGINS": "localhost:3000", "DB_PASSWORD": "s3cret"}, tmp_path)
    text = "\n".join(found)
    for name in ("DB_PORT", "USE_SQLITE", "ENVIRONMENT", "ALLOWED_ORIGINS"):
        assert name in text
    assert "between 1 and 65535" in text and "development, staging, production" in text


def test_secrets_are_never_echoed_in_errors(tmp_path: Path) -> None:
    found = problems({"DB_PORT": "x", "OVA_ADMIN_EMAIL": "a@b.org", "OVA_ADMIN_PASSWORD": "short"}, tmp_path)
    assert "short" not in "\n".join(found).replace("OVA_ADMIN_PASSWORD", "")


@pytest.mark.parametrize(("environ", "variable"), [
    ({"ALLOWED_ORIGINS": "https://a.org", "ALLOW_SQLITE_IN_PRODUCTION": "true"}, "JWT_SECRET_KEY"),
    ({"JWT_SECRET_KEY": DEV_JWT_SECRET, "ALLOWED_ORIGINS": "https://a.org", "ALLOW_SQLITE_IN_PRODUCTION": "1"},
     "JWT_SECRET_KEY"),
    ({"JWT_SECRET_KEY": "short-secret", "ALLOWED_ORIGINS": "https://a.org", "ALLOW_SQLITE_IN_PRODUCTION": "1"},
     "JWT_SECRET_KEY"),
    ({"JWT_SECRET_KEY": STRONG, "JWT_PREVIOUS_SECRET_KEYS": f"{STRONG}x,short", "ALLOWED_ORIGINS": "https://a.org",
      "ALLOW_SQLITE_IN_PRODUCTION": "1"}, "JWT_PREVIOUS_SECRET_KEYS"),
    ({"JWT_SECRET_KEY": STRONG, "ALLOWED_ORIGINS": "https://a.org"}, "USE_SQLITE"),
    ({"JWT_SECRET_KEY": STRONG, "ALLOWED_ORIGINS": "https://a.org,http://b.org", "ALLOW_SQLITE_IN_PRODUCTION": "1"},
     "ALLOWED_ORIGINS"),
])
def test_production_refuses_unsafe_settings(tmp_path: Path, environ: dict[str, str], variable: str) -> None:
    found = problems({"ENVIRONMENT": "production", **environ}, tmp_path)
    assert len(found) == 1 and found[0].startswith(variable)


@pytest.mark.parametrize("variable", ["CHAT_PROVIDER", "DETECTION_PROVIDER", "TTS_PROVIDER"])
def test_production_refuses_a_fake_ai_provider(tmp_path: Path, variable: str) -> None:
    safe = {"JWT_SECRET_KEY": STRONG, "ALLOWED_ORIGINS": "https://a.org", "ALLOW_SQLITE_IN_PRODUCTION": "1"}
    found = problems({"ENVIRONMENT": "production", **safe, variable: "fake"}, tmp_path)
    assert len(found) == 1 and found[0].startswith(f"{variable}: production refuses the fake provider")
    assert "use local" in found[0] and "fake" not in found[0].split("; use ")[1]
    development = load_settings({"ENVIRONMENT": "development", variable: "fake"}, env_file=tmp_path / "absent.env")
    assert development.ai.chat_provider is Provider.FAKE or variable != "CHAT_PROVIDER"


def test_earlier_jwt_keys_are_read_as_a_list_and_never_shown(tmp_path: Path) -> None:
    settings = load_settings({"JWT_PREVIOUS_SECRET_KEYS": f" {STRONG}a , {STRONG}b ,"}, env_file=tmp_path / "x")
    assert settings.auth.jwt_previous_secret_keys == (f"{STRONG}a", f"{STRONG}b")
    shown = dict(describe(settings))["JWT_PREVIOUS_SECRET_KEYS"]
    assert shown == "***" and STRONG not in shown


def test_production_with_safe_settings_starts(tmp_path: Path) -> None:
    settings = load_settings({"ENVIRONMENT": "production", "JWT_SECRET_KEY": STRONG, "USE_SQLITE": "false",
                              "DB_HOST": "db", "ALLOWED_ORIGINS": "https://helpova.web.app"},
                             env_file=tmp_path / "absent.env")
    assert settings.is_production


def test_the_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nexport LOG_LEVEL=debug\nCORS_MAX_AGE='60'\nDB_NAME=ova # trailing\n")
    settings = load_settings({"CORS_MAX_AGE": "120"}, env_file=env_file)
    assert settings.log_level == "DEBUG" and settings.http.cors_max_age == 120
    assert settings.database.name == "ova"


def test_a_malformed_env_file_line_is_reported_with_its_number(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=INFO\nthis is not a setting\n")
    with pytest.raises(ConfigError, match=r":2: expected KEY=value"):
        load_settings({}, env_file=env_file)


def test_the_legacy_model_variable_names_the_chat_model(tmp_path: Path) -> None:
    assert load_settings({"model": "some/model"}, env_file=tmp_path / "x").ai.chat_model == "some/model"


def test_describe_masks_secrets(tmp_path: Path) -> None:
    settings = load_settings({"JWT_SECRET_KEY": STRONG, "DB_PASSWORD": "hunter2",
                              "DATABASE_URL": "mysql+aiomysql://u:hunter2@h/d"}, env_file=tmp_path / "x")
    shown = dict(describe(settings))
    assert STRONG not in str(shown) and "hunter2" not in str(shown)
    assert shown["JWT_SECRET_KEY"].startswith("***")


def test_production_without_allowed_origins_keeps_only_the_https_defaults(tmp_path: Path) -> None:
    settings = load_settings({"ENVIRONMENT": "production", "JWT_SECRET_KEY": STRONG, "USE_SQLITE": "false"},
                             env_file=tmp_path / "absent.env")
    assert settings.http.allowed_origins == ("https://helpova.web.app",)


def test_only_the_chat_the_captioning_speech_and_ocr_may_use_an_openai_compatible_provider(tmp_path: Path) -> None:
    found = problems({"DETECTION_PROVIDER": "openai-compatible"}, tmp_path)
    assert found == ["DETECTION_PROVIDER: openai-compatible serves only the captioning, the stt, the tts, the chat, "
                     "the ocr; use local, huggingface or fake"]
    assert load_settings({"OCR_PROVIDER": "openai-compatible"}, env_file=tmp_path / "x").ai.ocr_provider is (
        Provider.OPENAI_COMPATIBLE)
    speech = load_settings({"STT_PROVIDER": "openai-compatible", "TTS_PROVIDER": "openai-compatible"},
                           env_file=tmp_path / "x").ai
    assert speech.stt_provider is speech.tts_provider is Provider.OPENAI_COMPATIBLE
    assert load_settings({"CHAT_PROVIDER": "openai-compatible"}, env_file=tmp_path / "x").ai.chat_provider is (
        Provider.OPENAI_COMPATIBLE)
    assert load_settings({"CAPTIONING_PROVIDER": "openai-compatible"}, env_file=tmp_path / "x").ai.captioning_provider \
        is Provider.OPENAI_COMPATIBLE


def test_the_vision_server_and_the_hugging_face_reader_are_configured_by_their_variables(tmp_path: Path) -> None:
    default = load_settings({}, env_file=tmp_path / "x").ai
    assert (default.vision_api_url, default.vision_api_key) == ("http://127.0.0.1:8080/v1", None)
    assert default.vision_model == "Qwen/Qwen2.5-VL-3B-Instruct"
    assert default.hf_ocr_model == "microsoft/trocr-base-printed"
    chosen = load_settings({"VISION_API_URL": "http://gpu:8000/v1", "VISION_API_KEY": "sk-v", "VISION_MODEL": "llava",
                            "HF_OCR_MODEL": "microsoft/trocr-large-printed"}, env_file=tmp_path / "x").ai
    assert (chosen.vision_api_url, chosen.vision_api_key, chosen.vision_model, chosen.hf_ocr_model) == (
        "http://gpu:8000/v1", "sk-v", "llava", "microsoft/trocr-large-printed")
    assert next(v for v in VARIABLES if v.name == "VISION_API_KEY").secret


def test_the_speech_server_is_configured_by_its_variables(tmp_path: Path) -> None:
    default = load_settings({}, env_file=tmp_path / "x").ai
    assert (default.speech_api_url, default.speech_api_key) == ("http://127.0.0.1:8000/v1", None)
    assert (default.stt_remote_model, default.tts_remote_model) == ("Systran/faster-whisper-base", "kokoro")
    assert (default.tts_remote_voice_es, default.tts_remote_voice_en) == ("ef_dora", "af_heart")
    chosen = load_settings({"SPEECH_API_URL": "https://api.openai.com/v1", "SPEECH_API_KEY": "sk-s",
                            "STT_REMOTE_MODEL": "whisper-1", "TTS_REMOTE_MODEL": "tts-1",
                            "TTS_REMOTE_VOICE_ES": "nova", "TTS_REMOTE_VOICE_EN": "alloy"}, env_file=tmp_path / "x").ai
    assert (chosen.speech_api_url, chosen.speech_api_key, chosen.stt_remote_model, chosen.tts_remote_model) == (
        "https://api.openai.com/v1", "sk-s", "whisper-1", "tts-1")
    assert (chosen.tts_remote_voice_es, chosen.tts_remote_voice_en) == ("nova", "alloy")
    assert next(v for v in VARIABLES if v.name == "SPEECH_API_KEY").secret


def test_every_ai_provider_rule_names_a_variable_and_accepts_the_offline_providers() -> None:
    ai_variables = {v.attribute: v.name for v in VARIABLES if v.section == "ai"}
    for setting, accepted in AI_PROVIDERS.items():
        assert setting in ai_variables
        assert {Provider.LOCAL, Provider.FAKE} <= accepted


def test_a_provider_a_capability_does_not_accept_is_refused_by_name(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    offline_only = {**AI_PROVIDERS, "asl_provider": frozenset({Provider.LOCAL, Provider.FAKE})}
    monkeypatch.setattr("ova.config.loader.AI_PROVIDERS", offline_only)

    found = problems({"ASL_PROVIDER": "huggingface", "DETECTION_PROVIDER": "openai-compatible"}, tmp_path)

    assert found == [
        "DETECTION_PROVIDER: openai-compatible serves only the captioning, the stt, the tts, the chat, the ocr; "
        "use local, huggingface or fake",
        "ASL_PROVIDER: huggingface serves only the detection, the captioning, the stt, the tts, the chat, the ocr; "
        "use local or fake",
    ]


def test_the_login_limits_read_their_two_ceilings(tmp_path: Path) -> None:
    defaults = load_settings({}, env_file=tmp_path / "absent.env").auth
    assert (defaults.login_max_failures, defaults.login_max_failures_per_account) == (5, 100)
    chosen = load_settings({"LOGIN_MAX_FAILURES": "3", "LOGIN_MAX_FAILURES_PER_ACCOUNT": "40"},
                           env_file=tmp_path / "absent.env").auth
    assert (chosen.login_max_failures, chosen.login_max_failures_per_account) == (3, 40)
    with pytest.raises(ConfigError, match="LOGIN_MAX_FAILURES_PER_ACCOUNT"):
        load_settings({"LOGIN_MAX_FAILURES_PER_ACCOUNT": "0"}, env_file=tmp_path / "absent.env")


def test_the_default_language_is_spanish_and_each_language_has_its_system_prompt(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "absent.env")
    assert settings.default_language is Language.ES
    prompts = settings.chat.system_prompts
    assert "español" in prompts[Language.ES] and "English" in prompts[Language.EN]
    chosen = load_settings({"DEFAULT_LANGUAGE": " EN ", "CHAT_SYSTEM_PROMPT": "Sé breve.",
                            "CHAT_SYSTEM_PROMPT_EN": "Be brief."}, env_file=tmp_path / "absent.env")
    assert chosen.default_language is Language.EN
    assert chosen.chat.system_prompts == {Language.ES: "Sé breve.", Language.EN: "Be brief."}


def test_an_unknown_default_language_names_the_accepted_ones(tmp_path: Path) -> None:
    assert problems({"DEFAULT_LANGUAGE": "fr"}, tmp_path) == ["DEFAULT_LANGUAGE='fr': use one of: es, en"]


def test_the_instance_is_named_by_ova_instance_or_left_to_ova_serve(tmp_path: Path) -> None:
    assert load_settings({}, env_file=tmp_path / "absent.env").instance is None
    assert load_settings({"OVA_INSTANCE": " web-1:8000 "}, env_file=tmp_path / "absent.env").instance == "web-1:8000"


def test_the_asl_time_budget_is_50_ms_unless_set_and_never_negative(tmp_path: Path) -> None:
    assert load_settings({}, env_file=tmp_path / "x").ai.asl_time_budget_ms == 100
    assert load_settings({"ASL_TIME_BUDGET_MS": "0"}, env_file=tmp_path / "x").ai.asl_time_budget_ms == 0
    assert any("ASL_TIME_BUDGET_MS" in problem for problem in problems({"ASL_TIME_BUDGET_MS": "-5"}, tmp_path))

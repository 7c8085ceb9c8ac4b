"""Every configuration variable: where it goes, how it is parsed, and what it means."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping

from attrs import frozen

from ova.config.settings import Environment, Provider
from ova.domain.language import ACCEPTED, Language

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
JWT_ALGORITHMS = ("HS256", "HS384", "HS512")
CHAT_LOCAL_MODELS = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m")
TTS_LOCAL_VOICES = ("kokoro", "espeak")
"""The local chat models of the model catalogue (``ova.adapters.models.catalogue``)."""
STT_LOCAL_MODELS = ("whisper-base", "whisper-tiny.en")
"""The local speech-to-text models of the model catalogue."""
LANGUAGES = ("es", "en")


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("use true or false")


def parse_int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"use a whole number between {low} and {high}") from None
        if not low <= value <= high:
            raise ValueError(f"use a whole number between {low} and {high}")
        return value

    return parse


def parse_choice(choices: tuple[str, ...], *, upper: bool = False) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().upper() if upper else raw.strip().lower()
        if value not in choices:
            raise ValueError(f"use one of: {', '.join(choices)}")
        return value

    return parse


def parse_float(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise ValueError(f"use a number between {low:g} and {high:g}") from None
        if not low <= value <= high:
            raise ValueError(f"use a number between {low:g} and {high:g}")
        return value

    return parse


def parse_text(raw: str) -> str:
    return raw.strip()


def parse_optional_text(raw: str) -> str | None:
    return raw.strip() or None


def parse_secrets(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def parse_origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if not origin.startswith(("http://", "https://")) or " " in origin:
            raise ValueError(f"{origin!r} is not an origin like https://example.org")
    return origins


def parse_proxies(raw: str) -> tuple[str, ...]:
    """Comma-separated IP addresses and networks, normalised (``10.1.2.3/8`` is ``10.0.0.0/8``); ``*``
    trusts every peer."""
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if "*" in items:
        return ("*",)
    proxies: list[str] = []
    for item in items:
        try:
            proxies.append(str(ipaddress.ip_network(item, strict=False)) if "/" in item
                           else str(ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network like 10.0.0.0/8") from None
    return tuple(proxies)


def parse_environment(raw: str) -> Environment:
    return Environment(parse_choice(tuple(e.value for e in Environment))(raw))


def parse_language(raw: str) -> Language:
    return Language(parse_choice(ACCEPTED)(raw))


def parse_provider(raw: str) -> Provider:
    return Provider(parse_choice(tuple(p.value for p in Provider))(raw))


_OFFLINE_AND_HUGGING_FACE = frozenset({Provider.LOCAL, Provider.HUGGINGFACE, Provider.FAKE})
AI_PROVIDERS: Mapping[str, frozenset[Provider]] = {
    "detection_provider": _OFFLINE_AND_HUGGING_FACE,
    "captioning_provider": frozenset(Provider),
    "asl_provider": _OFFLINE_AND_HUGGING_FACE,
    "stt_provider": frozenset(Provider),
    "tts_provider": frozenset(Provider),
    "chat_provider": frozenset(Provider),
    "ocr_provider": frozenset(Provider),
}
"""The providers that can serve each AI capability, by its provider setting in ``AiSettings``: each
gets its variable (``DETECTION_PROVIDER`` for ``detection_provider``), and any other provider is refused
at start-up. The capability registry (``ova.bootstrap.capabilities``) declares an adapter for exactly
these, and refuses to start otherwise (this layer may not import it)."""


@frozen
class Variable:
    name: str
    section: str | None
    attribute: str
    parse: Callable[[str], object]
    help: str
    secret: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable("ENVIRONMENT", None, "environment", parse_environment, "development, staging or production"),
    Variable("LOG_LEVEL", None, "log_level", parse_choice(LOG_LEVELS, upper=True), "DEBUG, INFO, WARNING, ERROR"),
    Variable("REDIS_URL", None, "redis_url", parse_optional_text,
             "redis://host:6379/0 to share state between workers; empty keeps it in memory"),
    Variable("REDIS_TIMEOUT_S", None, "redis_timeout_s", parse_float(0.1, 60),
             "seconds one Redis operation may take (connecting included); past it the request gets "
             "503 unavailable"),
    Variable("DEFAULT_LANGUAGE", None, "default_language", parse_language,
             f"language of a conversation that names none and whose first message does not tell "
             f"({', '.join(ACCEPTED)}), and of error messages when the request names none"),
    Variable("OVA_INSTANCE", None, "instance", parse_optional_text,
             "this server's name in /metrics (ova_instance_info's instance label) and in the name of its "
             "metrics directory; empty is <host name>:<port> under ova serve"),
    Variable("ALLOWED_ORIGINS", "http", "allowed_origins", parse_origins, "comma-separated CORS origins"),
    Variable("CORS_MAX_AGE", "http", "cors_max_age", parse_int(0, 86400), "seconds a preflight is cached"),
    Variable("MAX_JSON_BODY_KB", "http", "max_json_body_kb", parse_int(1, 65536), "largest JSON body, KiB"),
    Variable("MAX_UPLOAD_MB", "http", "max_upload_mb", parse_int(1, 200), "largest upload, MiB"),
    Variable("METRICS_TOKEN", "http", "metrics_token", parse_optional_text,
             "bearer token /metrics asks for (required in production to scrape it at all)", secret=True),
    Variable("CONTACT_MAX_PER_HOUR", "http", "contact_max_per_hour", parse_int(1, 100000),
             "contact messages per client address per hour"),
    Variable("TRUSTED_PROXIES", "http", "trusted_proxies", parse_proxies,
             "comma-separated IPs/networks of reverse proxies whose X-Forwarded-For/-Proto are believed; "
             "empty ignores those headers"),
    Variable("HTTP_HEADER_TIMEOUT_S", "http", "header_timeout_s", parse_float(0.5, 600),
             "seconds a client has to send a request's headers (from connecting, and from the first byte of "
             "each later request on the connection); then the connection is closed"),
    Variable("HTTP_MAX_CONNECTIONS", "http", "max_connections", parse_int(0, 1_000_000),
             "connections (HTTP and WebSocket) and requests in progress per process past which new requests "
             "get a plain 503; 0 is no limit"),
    Variable("USE_SQLITE", "database", "use_sqlite", parse_bool, "true for a SQLite file, false for MySQL"),
    Variable("SQLITE_PATH", "database", "sqlite_path", parse_text, "path of the SQLite file"),
    Variable("DB_HOST", "database", "host", parse_text, "MySQL/MariaDB host"),
    Variable("DB_PORT", "database", "port", parse_int(1, 65535), "MySQL/MariaDB port"),
    Variable("DB_USER", "database", "user", parse_text, "MySQL/MariaDB user"),
    Variable("DB_PASSWORD", "database", "password", parse_text, "MySQL/MariaDB password", secret=True),
    Variable("DB_NAME", "database", "name", parse_text, "MySQL/MariaDB database name"),
    Variable("DATABASE_URL", "database", "url_override", parse_optional_text,
             "full SQLAlchemy URL (sqlite+aiosqlite:///... or mysql+aiomysql://...); overrides the others",
             secret=True),
    Variable("ALLOW_SQLITE_IN_PRODUCTION", "database", "allow_sqlite_in_production", parse_bool,
             "true to accept SQLite in production (one host only)"),
    Variable("DB_POOL_SIZE", "database", "pool_size", parse_int(1, 200), "MySQL connection pool size"),
    Variable("DB_TIMEOUT_S", "database", "timeout_s", parse_float(0.1, 600),
             "seconds one unit of work may wait on MySQL altogether (connecting or taking a pooled "
             "connection, its statements, its commit), and one turn-journal batch; past it the "
             "request gets 503 database_unavailable"),
    Variable("JWT_SECRET_KEY", "auth", "jwt_secret_key", parse_text,
             "at least 32 random bytes, e.g. `openssl rand -hex 32`", secret=True),
    Variable("JWT_PREVIOUS_SECRET_KEYS", "auth", "jwt_previous_secret_keys", parse_secrets,
             "comma-separated earlier JWT_SECRET_KEYs, accepted (never used to sign) while tokens signed "
             "with them may still be in use: a rotation without logging everyone out", secret=True),
    Variable("JWT_ALGORITHM", "auth", "jwt_algorithm", parse_choice(JWT_ALGORITHMS, upper=True), "HS256"),
    Variable("ACCESS_TOKEN_EXPIRE_MINUTES", "auth", "access_token_expire_minutes", parse_int(1, 1440),
             "lifetime of access tokens"),
    Variable("REFRESH_TOKEN_EXPIRE_DAYS", "auth", "refresh_token_expire_days", parse_int(1, 365),
             "lifetime of refresh tokens"),
    Variable("PASSWORD_HASH_TIME_COST", "auth", "password_time_cost", parse_int(1, 20), "Argon2 passes"),
    Variable("PASSWORD_HASH_MEMORY_KIB", "auth", "password_memory_kib", parse_int(1024, 1048576),
             "Argon2 memory, KiB"),
    Variable("PASSWORD_HASH_CONCURRENCY", "auth", "password_concurrency", parse_int(1, 64),
             "password hashes computed at once per process (default: half the CPU cores, each hash uses 2 lanes)"),
    Variable("PASSWORD_HASH_QUEUE", "auth", "password_queue", parse_int(0, 10000),
             "password hashes waiting per process before 503 busy (default: 4 per concurrent hash)"),
    Variable("LOGIN_MAX_FAILURES", "auth", "login_max_failures", parse_int(1, 1000),
             "failed logins allowed per client address in the window"),
    Variable("LOGIN_MAX_FAILURES_PER_ACCOUNT", "auth", "login_max_failures_per_account", parse_int(1, 100000),
             "failed logins allowed per account from all addresses in the window"),
    Variable("LOGIN_WINDOW_MINUTES", "auth", "login_window_minutes", parse_int(1, 1440), "login limit window"),
    Variable("REGISTER_MAX_PER_HOUR", "auth", "register_max_per_hour", parse_int(1, 100000),
             "registrations per client address per hour"),
    Variable("SESSION_PURGE_INTERVAL_S", "auth", "session_purge_interval_s", parse_int(0, 604800),
             "seconds between purges of expired refresh sessions, in each worker; 0 turns them off"),
    Variable("OVA_ADMIN_EMAIL", "auth", "admin_email", parse_optional_text,
             "creates this admin at start-up when no admin exists"),
    Variable("OVA_ADMIN_PASSWORD", "auth", "admin_password", parse_optional_text,
             "password of OVA_ADMIN_EMAIL", secret=True),
    Variable("HF_API_KEY", "ai", "hf_api_key", parse_optional_text, "Hugging Face token", secret=True),
    Variable("HF_MODELO_SIGN", "ai", "hf_modelo_sign", parse_text, "Hugging Face ASL model"),
    Variable("HF_ASL_SPACE_URL", "ai", "hf_asl_space_url", parse_text, "Hugging Face ASL Space URL"),
    Variable("CHAT_MODEL", "ai", "chat_model", parse_text, "chat model name for remote providers"),
    *(Variable(setting.upper(), "ai", setting, parse_provider, ", ".join(p.value for p in Provider if p in accepted))
      for setting, accepted in AI_PROVIDERS.items()),
    Variable("HF_API_URL", "ai", "hf_api_url", parse_text, "base URL of the Hugging Face Inference API"),
    Variable("HF_DETECTION_MODEL", "ai", "hf_detection_model", parse_text, "object detection model on Hugging Face"),
    Variable("HF_CAPTION_MODEL", "ai", "hf_caption_model", parse_text, "image captioning model on Hugging Face"),
    Variable("HF_STT_MODEL", "ai", "hf_stt_model", parse_text, "speech recognition model on Hugging Face"),
    Variable("HF_TTS_MODEL", "ai", "hf_tts_model", parse_text, "text-to-speech model on Hugging Face"),
    Variable("HF_OCR_MODEL", "ai", "hf_ocr_model", parse_text,
             "image-to-text model on Hugging Face that reads text (OCR_PROVIDER=huggingface; TrOCR reads one line)"),
    Variable("VISION_API_URL", "ai", "vision_api_url", parse_text,
             "base URL of an openai-compatible server with a vision model, for CAPTIONING_PROVIDER and "
             "OCR_PROVIDER=openai-compatible (vLLM, llama.cpp server, Ollama: http://host:11434/v1)"),
    Variable("VISION_API_KEY", "ai", "vision_api_key", parse_optional_text,
             "bearer key of the openai-compatible vision server", secret=True),
    Variable("VISION_MODEL", "ai", "vision_model", parse_text,
             "vision chat model on that server (Qwen2.5-VL, LLaVA, gpt-4o-mini...)"),
    Variable("SPEECH_API_URL", "ai", "speech_api_url", parse_text,
             "base URL of an openai-compatible speech server, for STT_PROVIDER and TTS_PROVIDER=openai-compatible "
             "(speaches, vLLM, LocalAI, Kokoro-FastAPI: http://host:8000/v1)"),
    Variable("SPEECH_API_KEY", "ai", "speech_api_key", parse_optional_text,
             "bearer key of the openai-compatible speech server", secret=True),
    Variable("STT_REMOTE_MODEL", "ai", "stt_remote_model", parse_text,
             "transcription model on that server (Systran/faster-whisper-base, openai/whisper-large-v3, whisper-1...)"),
    Variable("TTS_REMOTE_MODEL", "ai", "tts_remote_model", parse_text,
             "speech model on that server (kokoro, speaches-ai/Kokoro-82M-v1.0-ONNX, tts-1...)"),
    Variable("TTS_REMOTE_VOICE_ES", "ai", "tts_remote_voice_es", parse_text,
             "the server's voice for Spanish (Kokoro: ef_dora, em_alex)"),
    Variable("TTS_REMOTE_VOICE_EN", "ai", "tts_remote_voice_en", parse_text,
             "the server's voice for English (Kokoro: af_heart; OpenAI: alloy)"),
    Variable("MAX_IMAGE_PIXELS", "ai", "max_image_pixels", parse_int(1, 500_000_000),
             "largest image in pixels (decompression bombs are refused before decoding)"),
    Variable("DETECTION_MIN_CONFIDENCE", "ai", "detection_min_confidence", parse_float(0.0, 1.0),
             "objects below this confidence are not reported"),
    Variable("ASL_MIN_CONFIDENCE", "ai", "asl_min_confidence", parse_float(0.0, 1.0),
             "a letter below this confidence is reported as not recognised"),
    Variable("OCR_MIN_CONFIDENCE", "ai", "ocr_min_confidence", parse_float(0.0, 1.0),
             "words the local OCR (Tesseract) is less sure of are left out"),
    Variable("OCR_TIMEOUT_S", "ai", "ocr_timeout_s", parse_float(0.5, 600),
             "seconds one Tesseract run may take before the request gets 503"),
    Variable("ASL_LOCAL_MODEL", "ai", "asl_local_model", parse_choice(("ova-letters", "smart-gestures", "asl-alpnum")),
             "local ASL letter classifier: ova-letters (ova's own, public-domain data), smart-gestures (GPL-3.0) "
             "or asl-alpnum (MIT)"),
    Variable("ASL_TIME_BUDGET_MS", "ai", "asl_time_budget_ms", parse_float(0, 10_000),
             "milliseconds the hand finder may spend on one photo: a further look at the photo is skipped "
             "when it would pass them (the first look always runs; 0: every look)"),
    Variable("CHAT_LOCAL_MODEL", "ai", "chat_local_model", parse_choice(CHAT_LOCAL_MODELS),
             "local chat model: qwen2.5-coder-1.5b (right, ~15 tok/s), qwen2.5-coder-0.5b (faster, often wrong), "
             "smollm2-135m (tiny, for tests)"),
    Variable("TTS_LOCAL_VOICE", "ai", "tts_local_voice", parse_choice(TTS_LOCAL_VOICES),
             "local text to speech: kokoro (Kokoro-82M in Spanish, hibari in English; about real time) or "
             "espeak (espeak-ng in both: instant, robotic)"),
    Variable("TTS_THREADS", "ai", "tts_threads", parse_int(1, 256),
             "CPU threads of the local text-to-speech models (default: 2, or 1 on one core)"),
    Variable("STT_LOCAL_MODEL", "ai", "stt_local_model", parse_choice(STT_LOCAL_MODELS),
             "local speech-to-text model: whisper-base (multilingual: Spanish and English), "
             "whisper-tiny.en (English only, about 3 times faster)"),
    Variable("STT_THREADS", "ai", "stt_threads", parse_int(1, 256),
             "CPU threads of the local speech-to-text model (default: the cores, at most 4)"),
    Variable("STT_MIN_LANGUAGE_PROBABILITY", "ai", "stt_min_language_probability", parse_float(0.0, 1.0),
             "with `lang=auto`, Whisper's detected language is used only when at least this sure, "
             "else DEFAULT_LANGUAGE"),
    Variable("OVA_MODELS_DIR", "ai", "models_dir", parse_text,
             "cache folder of the local models' files (split weights are joined here once, sha256-checked)"),
    Variable("INFERENCE_WORKERS", "ai", "inference_workers", parse_int(1, 64),
             "inferences running at once per capability and process"),
    Variable("INFERENCE_QUEUE", "ai", "inference_queue", parse_int(0, 1000),
             "inferences waiting per capability before 503 busy"),
    Variable("AI_TIMEOUT_S", "ai", "ai_timeout_s", parse_float(0.1, 600), "overall timeout of a remote AI call"),
    Variable("AI_FALLBACK_LOCAL", "ai", "ai_fallback_local", parse_bool,
             "when a remote provider fails, answer with the local model"),
    Variable("CIRCUIT_FAILURES", "ai", "circuit_failures", parse_int(1, 1000),
             "consecutive failures that open a remote provider's circuit"),
    Variable("CIRCUIT_RESET_S", "ai", "circuit_reset_s", parse_float(0.1, 3600),
             "seconds an open circuit waits before probing again"),
    Variable("AI_PROBE_TTL_S", "ai", "probe_ttl_s", parse_float(0, 3600),
             "seconds an external chat engine's reachability (for /status/ready and /status/health) is "
             "trusted before it is asked again"),
    Variable("AI_WARM_UP", "ai", "warm_up", parse_bool, "load local models at start-up (else on first use)"),
    Variable("CHAT_SYSTEM_PROMPT", "chat", "system_prompt", parse_text,
             "who the assistant is and how it answers in Spanish conversations (sent before every one)"),
    Variable("CHAT_SYSTEM_PROMPT_EN", "chat", "system_prompt_en", parse_text,
             "who the assistant is and how it answers in English conversations (sent before every one)"),
    Variable("CHAT_API_URL", "chat", "api_url", parse_text,
             "base URL of an openai-compatible server (vLLM, llama.cpp server, Ollama: http://host:11434/v1)"),
    Variable("CHAT_API_KEY", "chat", "api_key", parse_optional_text, "bearer key of the openai-compatible server",
             secret=True),
    Variable("HF_CHAT_URL", "chat", "hf_chat_url", parse_text, "Hugging Face chat-completions router base URL"),
    Variable("CHAT_MAX_TOKENS", "chat", "max_tokens", parse_int(1, 8192), "longest answer, in tokens"),
    Variable("CHAT_TEMPERATURE", "chat", "temperature", parse_float(0.0, 2.0), "sampling temperature"),
    Variable("CHAT_REPEAT_PENALTY", "chat", "repeat_penalty", parse_float(1.0, 2.0),
             "local model: penalty on repeating recent tokens (1 = none), keeps small models from looping"),
    Variable("CHAT_CONTEXT_TURNS", "chat", "context_turns", parse_int(0, 200),
             "earlier turns of the conversation the model sees"),
    Variable("CHAT_CONTEXT_CHARS", "chat", "context_chars", parse_int(0, 1_000_000),
             "most characters of earlier turns the model sees (oldest dropped first)"),
    Variable("CHAT_THREADS", "chat", "threads", parse_int(1, 256),
             "CPU threads of the local model (default: half the cores, leaving the rest to the server)"),
    Variable("CHAT_PROMPT_THREADS", "chat", "prompt_threads", parse_int(1, 256),
             "CPU threads of the local model while it reads a prompt (default: all the cores, as llama.cpp; "
             "the first word comes sooner when the other cores are free)"),
    Variable("CHAT_CONTEXT_WINDOW", "chat", "context_window", parse_int(256, 131072),
             "local model context window, tokens"),
    Variable("CHAT_CONCURRENCY", "chat", "concurrency", parse_int(1, 64),
             "generations at once per process: the local model's sequences, decoded together in one context "
             "(continuous batching)"),
    Variable("CHAT_QUEUE", "chat", "queue", parse_int(0, 10000),
             "generations waiting per process before `busy`"),
    Variable("WS_MAX_TEXT_KB", "chat", "max_text_kb", parse_int(1, 1024), "largest WebSocket text frame, KiB"),
    Variable("WS_MAX_FRAME_KB", "chat", "max_frame_kb", parse_int(4, 16384),
             "largest text frame the server sends (a `chunk`, an answer), KiB; a longer answer is cut to fit "
             "one frame"),
    Variable("WS_MAX_AUDIO_MB", "chat", "max_audio_mb", parse_int(1, 50), "largest voice note, MiB (decoded)"),
    Variable("WS_MESSAGES_PER_MINUTE", "chat", "messages_per_minute", parse_int(1, 100000),
             "messages a connection may send per minute"),
    Variable("WS_PENDING_MESSAGES", "chat", "pending_per_connection", parse_int(0, 100),
             "messages a connection may queue behind the one being answered before `busy`"),
    Variable("WS_IDLE_TIMEOUT_S", "chat", "idle_timeout_s", parse_float(1, 86400),
             "a connection silent this long is closed (the client pings every 30 s)"),
    Variable("WS_SEND_TIMEOUT_S", "chat", "send_timeout_s", parse_float(0.1, 600),
             "a client that does not read a frame in this time is disconnected"),
    Variable("WS_LEASE_TTL_S", "chat", "lease_ttl_s", parse_float(1, 3600),
             "how long a process's open connections still count in /status/websocket after it stops renewing "
             "them (renewed every third of it; a process killed without a word drops out after this)"),
    Variable("WS_SHUTDOWN_GRACE_S", "chat", "shutdown_grace_s", parse_float(0, 600),
             "on shutdown, time generations get to finish before they are cancelled"),
    Variable("WS_DRAIN_QUIET_S", "chat", "drain_quiet_s", parse_float(0, 60),
             "on shutdown, after its answers, a connection is closed once the client has sent nothing for this "
             "long (at most 4 times it); what it sends meanwhile gets `unavailable` instead of being lost"),
    Variable("WS_COMPRESSION", "chat", "compression", parse_bool,
             "accept permessage-deflate (costs about 40 KiB of memory a connection; chat frames are small)"),
)

"""The frozen configuration object. Only the loader builds it; everything else receives it."""

from __future__ import annotations

import enum
import os
from urllib.parse import quote

from attrs import frozen

from ova.domain.language import Language


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


class Provider(enum.StrEnum):
    LOCAL = "local"
    HUGGINGFACE = "huggingface"
    OPENAI_COMPATIBLE = "openai-compatible"
    FAKE = "fake"


TTS_LOCAL_MODELS = {"kokoro": "kokoro-82m"}
"""``TTS_LOCAL_VOICE`` → the model catalogue's entry it runs (espeak-ng has none)."""
PASSWORD_QUEUE_PER_HASH = 4  # default waiting hashes per concurrent one: about four hash times of wait
DEV_JWT_SECRET = "dev-insecure-secret-change-me-before-production"
DEFAULT_ORIGINS = (
    "http://localhost:3000",
    "http://127.0.0.1:3000",
    "https://helpova.web.app",
)


@frozen
class DatabaseSettings:
    use_sqlite: bool = True
    sqlite_path: str = "data/ova.db"
    host: str = "localhost"
    port: int = 3306
    user: str = "root"
    password: str = ""
    name: str = "ova"
    url_override: str | None = None
    allow_sqlite_in_production: bool = False
    pool_size: int = 10
    timeout_s: float = 10.0

    @property
    def url(self) -> str:
        if self.url_override:
            return self.url_override
        if self.use_sqlite:
            return f"sqlite+aiosqlite:///{self.sqlite_path}"
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        return f"mysql+aiomysql://{credentials}@{self.host}:{self.port}/{quote(self.name, safe='')}?charset=utf8mb4"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


@frozen
class AuthSettings:
    jwt_secret_key: str = DEV_JWT_SECRET
    jwt_previous_secret_keys: tuple[str, ...] = ()
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = 30
    refresh_token_expire_days: int = 7
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    password_concurrency: int = max(1, (os.cpu_count() or 2) // 2)
    password_queue: int | None = None  # None: PASSWORD_QUEUE_PER_HASH places per concurrent hash
    login_max_failures: int = 5
    login_max_failures_per_account: int = 100
    login_window_minutes: int = 15
    register_max_per_hour: int = 10
    session_purge_interval_s: int = 3600
    admin_email: str | None = None
    admin_password: str | None = None

    @property
    def access_lifetime_s(self) -> int:
        return self.access_token_expire_minutes * 60

    @property
    def refresh_lifetime_s(self) -> int:
        return self.refresh_token_expire_days * 86400

    @property
    def login_window_s(self) -> int:
        return self.login_window_minutes * 60

    @property
    def password_waiting(self) -> int:
        """Hashes that may wait for a thread before the next one is answered 503 ``busy``."""
        if self.password_queue is None:
            return PASSWORD_QUEUE_PER_HASH * self.password_concurrency
        return self.password_queue


@frozen
class HttpSettings:
    allowed_origins: tuple[str, ...] = DEFAULT_ORIGINS
    cors_max_age: int = 3600
    max_json_body_kb: int = 1024
    max_upload_mb: int = 10
    contact_max_per_hour: int = 5
    metrics_token: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    header_timeout_s: float = 10.0
    max_connections: int = 0  # 0: no limit

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


@frozen
class AiSettings:
    hf_api_key: str | None = None
    hf_modelo_sign: str = "JhonArleyCastilloV/ASL_model_1"
    hf_asl_space_url: str = "https://jhonarleycastillov-asl-image.hf.space"
    chat_model: str = "HuggingFaceTB/SmolLM2-135M-Instruct"
    chat_provider: Provider = Provider.LOCAL
    detection_provider: Provider = Provider.LOCAL
    captioning_provider: Provider = Provider.LOCAL
    asl_provider: Provider = Provider.LOCAL
    stt_provider: Provider = Provider.LOCAL
    tts_provider: Provider = Provider.LOCAL
    ocr_provider: Provider = Provider.LOCAL
    hf_api_url: str = "https://router.huggingface.co/hf-inference/models"
    hf_detection_model: str = "facebook/detr-resnet-50"
    hf_caption_model: str = "Salesforce/blip-image-captioning-base"
    hf_stt_model: str = "openai/whisper-large-v3"
    hf_tts_model: str = "facebook/mms-tts-eng"
    hf_ocr_model: str = "microsoft/trocr-base-printed"
    vision_api_url: str = "http://127.0.0.1:8080/v1"
    vision_api_key: str | None = None
    vision_model: str = "Qwen/Qwen2.5-VL-3B-Instruct"
    speech_api_url: str = "http://127.0.0.1:8000/v1"
    speech_api_key: str | None = None
    stt_remote_model: str = "Systran/faster-whisper-base"
    tts_remote_model: str = "kokoro"
    tts_remote_voice_es: str = "ef_dora"
    tts_remote_voice_en: str = "af_heart"
    max_image_pixels: int = 40_000_000
    detection_min_confidence: float = 0.35
    asl_min_confidence: float = 0.50
    ocr_min_confidence: float = 0.60
    ocr_timeout_s: float = 20.0
    asl_local_model: str = "ova-letters"
    asl_time_budget_ms: float = 100.0
    chat_local_model: str = "qwen2.5-coder-1.5b"
    tts_local_voice: str = "kokoro"
    tts_threads: int = min(2, os.cpu_count() or 2)
    stt_local_model: str = "whisper-base"
    stt_threads: int = max(1, min(4, os.cpu_count() or 2))
    stt_min_language_probability: float = 0.2
    models_dir: str = "data/models"
    inference_workers: int = 1
    inference_queue: int = 4
    ai_timeout_s: float = 30.0
    ai_fallback_local: bool = False
    circuit_failures: int = 5
    circuit_reset_s: float = 30.0
    probe_ttl_s: float = 5.0
    warm_up: bool = True

    @property
    def tts_local_model(self) -> str | None:
        """The catalogue entry the local text to speech runs (``None``: espeak-ng, a system program)."""
        return TTS_LOCAL_MODELS.get(self.tts_local_voice)


DEFAULT_SYSTEM_PROMPT = (
    "Eres OVA, el asistente de una aplicación de accesibilidad. Muchos usuarios son ciegos o tienen baja "
    "visión y escuchan tus respuestas en voz alta. Responde siempre en español, en pocas frases cortas y "
    "claras, con texto sencillo: sin markdown, listas, tablas ni emojis. Si te preguntan cómo se dice algo en "
    "otro idioma, da las palabras en ese idioma."
)
"""The Spanish conversations' system prompt (``CHAT_SYSTEM_PROMPT`` replaces it): short plain answers
that read well aloud (many users are blind or have low vision); ``make bench-quality-chat`` measured the
wording against the English one it replaced."""
DEFAULT_SYSTEM_PROMPT_EN = (
    "You are OVA, the assistant of an accessibility app. Many users are blind or have low vision and listen "
    "to your answers read aloud. Always answer in English, in a few short, clear sentences, in plain text: "
    "no markdown, lists, tables or emoji. When asked how to say something in another language, give the words "
    "in that language."
)
"""The English conversations' system prompt (``CHAT_SYSTEM_PROMPT_EN`` replaces it)."""


@frozen
class ChatSettings:
    """The chat model's behaviour and the WebSocket limits (the provider and model name are in ``AiSettings``).

    ``system_prompts`` gives each language its prompt: a conversation's prompt tells the model to
    answer in the conversation's language."""

    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    system_prompt_en: str = DEFAULT_SYSTEM_PROMPT_EN
    api_url: str = "http://127.0.0.1:8080/v1"
    api_key: str | None = None
    hf_chat_url: str = "https://router.huggingface.co/v1"
    max_tokens: int = 256
    temperature: float = 0.0
    repeat_penalty: float = 1.1
    context_turns: int = 12
    context_chars: int = 6000
    threads: int = max(1, (os.cpu_count() or 2) // 2)
    prompt_threads: int | None = None  # None: the cores (``ova serve --workers N`` shares them out)
    context_window: int = 2048
    concurrency: int = 4
    queue: int = 8
    max_text_kb: int = 64
    max_frame_kb: int = 64
    max_audio_mb: int = 5
    messages_per_minute: int = 20
    pending_per_connection: int = 2
    idle_timeout_s: float = 120.0
    send_timeout_s: float = 10.0
    shutdown_grace_s: float = 5.0
    drain_quiet_s: float = 0.25
    lease_ttl_s: float = 30.0
    compression: bool = False

    @property
    def system_prompts(self) -> dict[Language, str]:
        return {Language.ES: self.system_prompt, Language.EN: self.system_prompt_en}

    @property
    def max_text_bytes(self) -> int:
        return self.max_text_kb * 1024

    @property
    def max_audio_bytes(self) -> int:
        return self.max_audio_mb * 1024 * 1024

    @property
    def max_sent_frame_bytes(self) -> int:
        """The largest text frame the server sends (a ``chunk`` or an answer's ``text``); the largest
        it reads is ``entrypoints.websocket.frame_reading.max_frame_bytes``."""
        return self.max_frame_kb * 1024


@frozen
class Settings:
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    redis_url: str | None = None
    redis_timeout_s: float = 2.0
    default_language: Language = Language.ES
    instance: str | None = None  # None: the host's name (``ova serve`` makes it host:port)
    database: DatabaseSettings = DatabaseSettings()
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    ai: AiSettings = AiSettings()
    chat: ChatSettings = ChatSettings()

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

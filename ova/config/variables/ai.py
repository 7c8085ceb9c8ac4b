"""The variables of ``AiSettings``: which provider serves each AI capability, the Hugging Face, vision
and speech servers, the local models and their limits, and the remote calls' deadline, fallback and
circuit breaker."""

from __future__ import annotations

from collections.abc import Mapping

from ova.config.settings import Provider
from ova.config.variables.parsing import (
    parse_bool,
    parse_choice,
    parse_float,
    parse_int,
    parse_optional_text,
    parse_provider,
    parse_text,
)
from ova.config.variables.variable import InSection, Variable

CHAT_LOCAL_MODELS = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m")
"""The local chat models of the model catalogue (``ova.adapters.models.catalogue``)."""
STT_LOCAL_MODELS = ("whisper-base", "whisper-tiny.en")
"""The local speech-to-text models of the model catalogue."""
TTS_LOCAL_VOICES = ("kokoro", "espeak")
"""The local text-to-speech voices (``TTS_LOCAL_MODELS`` in ``ova.config.settings`` names their models)."""

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

variable = InSection("ai")

VARIABLES: tuple[Variable, ...] = (
    variable("HF_API_KEY", "hf_api_key", parse_optional_text, "Hugging Face token", secret=True),
    variable("HF_MODELO_SIGN", "hf_modelo_sign", parse_text, "Hugging Face ASL model"),
    variable("HF_ASL_SPACE_URL", "hf_asl_space_url", parse_text, "Hugging Face ASL Space URL"),
    variable("CHAT_MODEL", "chat_model", parse_text, "chat model name for remote providers"),
    *(variable(setting.upper(), setting, parse_provider, ", ".join(p.value for p in Provider if p in accepted))
      for setting, accepted in AI_PROVIDERS.items()),
    variable("HF_API_URL", "hf_api_url", parse_text, "base URL of the Hugging Face Inference API"),
    variable("HF_DETECTION_MODEL", "hf_detection_model", parse_text, "object detection model on Hugging Face"),
    variable("HF_CAPTION_MODEL", "hf_caption_model", parse_text, "image captioning model on Hugging Face"),
    variable("HF_STT_MODEL", "hf_stt_model", parse_text, "speech recognition model on Hugging Face"),
    variable("HF_TTS_MODEL", "hf_tts_model", parse_text, "text-to-speech model on Hugging Face"),
    variable("HF_OCR_MODEL", "hf_ocr_model", parse_text,
             "image-to-text model on Hugging Face that reads text (OCR_PROVIDER=huggingface; TrOCR reads one line)"),
    variable("VISION_API_URL", "vision_api_url", parse_text,
             "base URL of an openai-compatible server with a vision model, for CAPTIONING_PROVIDER and "
             "OCR_PROVIDER=openai-compatible (vLLM, llama.cpp server, Ollama: http://host:11434/v1)"),
    variable("VISION_API_KEY", "vision_api_key", parse_optional_text,
             "bearer key of the openai-compatible vision server", secret=True),
    variable("VISION_MODEL", "vision_model", parse_text,
             "vision chat model on that server (Qwen2.5-VL, LLaVA, gpt-4o-mini...)"),
    variable("SPEECH_API_URL", "speech_api_url", parse_text,
             "base URL of an openai-compatible speech server, for STT_PROVIDER and TTS_PROVIDER=openai-compatible "
             "(speaches, vLLM, LocalAI, Kokoro-FastAPI: http://host:8000/v1)"),
    variable("SPEECH_API_KEY", "speech_api_key", parse_optional_text,
             "bearer key of the openai-compatible speech server", secret=True),
    variable("STT_REMOTE_MODEL", "stt_remote_model", parse_text,
             "transcription model on that server (Systran/faster-whisper-base, openai/whisper-large-v3, whisper-1...)"),
    variable("TTS_REMOTE_MODEL", "tts_remote_model", parse_text,
             "speech model on that server (kokoro, speaches-ai/Kokoro-82M-v1.0-ONNX, tts-1...)"),
    variable("TTS_REMOTE_VOICE_ES", "tts_remote_voice_es", parse_text,
             "the server's voice for Spanish (Kokoro: ef_dora, em_alex)"),
    variable("TTS_REMOTE_VOICE_EN", "tts_remote_voice_en", parse_text,
             "the server's voice for English (Kokoro: af_heart; OpenAI: alloy)"),
    variable("MAX_IMAGE_PIXELS", "max_image_pixels", parse_int(1, 500_000_000),
             "largest image in pixels (decompression bombs are refused before decoding)"),
    variable("DETECTION_MIN_CONFIDENCE", "detection_min_confidence", parse_float(0.0, 1.0),
             "objects below this confidence are not reported"),
    variable("ASL_MIN_CONFIDENCE", "asl_min_confidence", parse_float(0.0, 1.0),
             "a letter below this confidence is reported as not recognised"),
    variable("OCR_MIN_CONFIDENCE", "ocr_min_confidence", parse_float(0.0, 1.0),
             "words the local OCR (Tesseract) is less sure of are left out"),
    variable("OCR_TIMEOUT_S", "ocr_timeout_s", parse_float(0.5, 600),
             "seconds one Tesseract run may take before the request gets 503"),
    variable("ASL_LOCAL_MODEL", "asl_local_model", parse_choice(("ova-letters", "smart-gestures", "asl-alpnum")),
             "local ASL letter classifier: ova-letters (ova's own, public-domain data), smart-gestures (GPL-3.0) "
             "or asl-alpnum (MIT)"),
    variable("ASL_TIME_BUDGET_MS", "asl_time_budget_ms", parse_float(0, 10_000),
             "milliseconds the hand finder may spend on one photo: a further look at the photo is skipped "
             "when it would pass them (the first look always runs; 0: every look)"),
    variable("CHAT_LOCAL_MODEL", "chat_local_model", parse_choice(CHAT_LOCAL_MODELS),
             "local chat model: qwen2.5-coder-1.5b (right, ~15 tok/s), qwen2.5-coder-0.5b (faster, often wrong), "
             "smollm2-135m (tiny, for tests)"),
    variable("TTS_LOCAL_VOICE", "tts_local_voice", parse_choice(TTS_LOCAL_VOICES),
             "local text to speech: kokoro (Kokoro-82M in Spanish, hibari in English; about real time) or "
             "espeak (espeak-ng in both: instant, robotic)"),
    variable("TTS_THREADS", "tts_threads", parse_int(1, 256),
             "CPU threads of the local text-to-speech models (default: 2, or 1 on one core)"),
    variable("STT_LOCAL_MODEL", "stt_local_model", parse_choice(STT_LOCAL_MODELS),
             "local speech-to-text model: whisper-base (multilingual: Spanish and English), "
             "whisper-tiny.en (English only, about 3 times faster)"),
    variable("STT_THREADS", "stt_threads", parse_int(1, 256),
             "CPU threads of the local speech-to-text model (default: the cores, at most 4)"),
    variable("STT_MIN_LANGUAGE_PROBABILITY", "stt_min_language_probability", parse_float(0.0, 1.0),
             "with `lang=auto`, Whisper's detected language is used only when at least this sure, "
             "else DEFAULT_LANGUAGE"),
    variable("OVA_MODELS_DIR", "models_dir", parse_text,
             "cache folder of the local models' files (split weights are joined here once, sha256-checked)"),
    variable("INFERENCE_WORKERS", "inference_workers", parse_int(1, 64),
             "inferences running at once per capability and process"),
    variable("INFERENCE_QUEUE", "inference_queue", parse_int(0, 1000),
             "inferences waiting per capability before 503 busy"),
    variable("AI_TIMEOUT_S", "ai_timeout_s", parse_float(0.1, 600), "overall timeout of a remote AI call"),
    variable("AI_FALLBACK_LOCAL", "ai_fallback_local", parse_bool,
             "when a remote provider fails, answer with the local model"),
    variable("CIRCUIT_FAILURES", "circuit_failures", parse_int(1, 1000),
             "consecutive failures that open a remote provider's circuit"),
    variable("CIRCUIT_RESET_S", "circuit_reset_s", parse_float(0.1, 3600),
             "seconds an open circuit waits before probing again"),
    variable("AI_PROBE_TTL_S", "probe_ttl_s", parse_float(0, 3600),
             "seconds an external chat engine's reachability (for /status/ready and /status/health) is "
             "trusted before it is asked again"),
    variable("AI_WARM_UP", "warm_up", parse_bool, "load local models at start-up (else on first use)"),
)

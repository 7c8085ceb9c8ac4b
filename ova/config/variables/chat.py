"""The variables of ``ChatSettings``: the chat model's prompts and sampling, the remote chat server, and
the WebSocket limits and shutdown."""

from __future__ import annotations

from ova.config.variables.parsing import parse_bool, parse_float, parse_int, parse_optional_text, parse_text
from ova.config.variables.variable import InSection, Variable

variable = InSection("chat")

VARIABLES: tuple[Variable, ...] = (
    variable("CHAT_SYSTEM_PROMPT", "system_prompt", parse_text,
             "who the assistant is and how it answers in Spanish conversations (sent before every one)"),
    variable("CHAT_SYSTEM_PROMPT_EN", "system_prompt_en", parse_text,
             "who the assistant is and how it answers in English conversations (sent before every one)"),
    variable("CHAT_API_URL", "api_url", parse_text,
             "base URL of an openai-compatible server (vLLM, llama.cpp server, Ollama: http://host:11434/v1)"),
    variable("CHAT_API_KEY", "api_key", parse_optional_text, "bearer key of the openai-compatible server",
             secret=True),
    variable("HF_CHAT_URL", "hf_chat_url", parse_text, "Hugging Face chat-completions router base URL"),
    variable("CHAT_MAX_TOKENS", "max_tokens", parse_int(1, 8192), "longest answer, in tokens"),
    variable("CHAT_TEMPERATURE", "temperature", parse_float(0.0, 2.0), "sampling temperature"),
    variable("CHAT_REPEAT_PENALTY", "repeat_penalty", parse_float(1.0, 2.0),
             "local model: penalty on repeating recent tokens (1 = none), keeps small models from looping"),
    variable("CHAT_CONTEXT_TURNS", "context_turns", parse_int(0, 200),
             "earlier turns of the conversation the model sees"),
    variable("CHAT_CONTEXT_CHARS", "context_chars", parse_int(0, 1_000_000),
             "most characters of earlier turns the model sees (oldest dropped first)"),
    variable("CHAT_THREADS", "threads", parse_int(1, 256),
             "CPU threads of the local model (default: half the cores, leaving the rest to the server)"),
    variable("CHAT_PROMPT_THREADS", "prompt_threads", parse_int(1, 256),
             "CPU threads of the local model while it reads a prompt (default: the cores, as llama.cpp, shared "
             "out among the workers of `ova serve --workers N`: two workers reading prompts at once with every "
             "core each got their first words later)"),
    variable("CHAT_CONTEXT_WINDOW", "context_window", parse_int(256, 131072),
             "local model context window, tokens"),
    variable("CHAT_CONCURRENCY", "concurrency", parse_int(1, 64),
             "generations at once per process: the local model's sequences, decoded together in one context "
             "(continuous batching)"),
    variable("CHAT_QUEUE", "queue", parse_int(0, 10000),
             "generations waiting per process before `busy`"),
    variable("WS_MAX_TEXT_KB", "max_text_kb", parse_int(1, 1024), "largest WebSocket text frame, KiB"),
    variable("WS_MAX_FRAME_KB", "max_frame_kb", parse_int(4, 16384),
             "largest text frame the server sends (a `chunk`, an answer), KiB; a longer answer is cut to fit "
             "one frame"),
    variable("WS_MAX_AUDIO_MB", "max_audio_mb", parse_int(1, 50), "largest voice note, MiB (decoded)"),
    variable("WS_MESSAGES_PER_MINUTE", "messages_per_minute", parse_int(1, 100000),
             "messages a connection may send per minute"),
    variable("WS_PENDING_MESSAGES", "pending_per_connection", parse_int(0, 100),
             "messages a connection may queue behind the one being answered before `busy`"),
    variable("WS_IDLE_TIMEOUT_S", "idle_timeout_s", parse_float(1, 86400),
             "a connection silent this long is closed (the client pings every 30 s)"),
    variable("WS_SEND_TIMEOUT_S", "send_timeout_s", parse_float(0.1, 600),
             "a client that does not read a frame in this time is disconnected"),
    variable("WS_LEASE_TTL_S", "lease_ttl_s", parse_float(1, 3600),
             "how long a process's open connections still count in /status/websocket after it stops renewing "
             "them (renewed every third of it; a process killed without a word drops out after this)"),
    variable("WS_SHUTDOWN_GRACE_S", "shutdown_grace_s", parse_float(0, 600),
             "on shutdown, time generations get to finish before they are cancelled"),
    variable("WS_DRAIN_QUIET_S", "drain_quiet_s", parse_float(0, 60),
             "on shutdown, after its answers, a connection is closed once the client has sent nothing for this "
             "long (at most 4 times it); what it sends meanwhile gets `unavailable` instead of being lost"),
    variable("WS_COMPRESSION", "compression", parse_bool,
             "accept permessage-deflate (costs about 40 KiB of memory a connection; chat frames are small)"),
)

"""AI adapters: local models (the offline default), Hugging Face, and fakes."""

"""Fake AI adapters: deterministic, instant, no model; for tests and for running without models."""

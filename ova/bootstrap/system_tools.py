"""The system programs the configured capabilities run (not Python packages: ``make install`` puts
them there with apt), and what is missing of them, for ``ova config check``."""

from __future__ import annotations

from collections.abc import Callable

from ova.adapters.ai.local.ocr_install import tesseract_problem
from ova.config.settings import AiSettings, Provider


def missing_tools(settings: AiSettings, *, tesseract: Callable[[], str | None] = tesseract_problem) -> list[str]:
    """One line per missing program or language the configuration needs: Tesseract and its Spanish
    and English data when OCR runs locally (``OCR_PROVIDER=local``, or as a remote's fallback)."""
    found = []
    ocr_local = settings.ocr_provider is Provider.LOCAL or (
        settings.ocr_provider is not Provider.FAKE and settings.ai_fallback_local)
    if ocr_local:
        problem = tesseract()
        if problem is not None:
            found.append(f"OCR_PROVIDER=local: {problem}")
    return found

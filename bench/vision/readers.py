"""The OCR options the bench compares, each a ``TextReader`` (the application's port).

- ``tesseract-cli-psm3``: the BASELINE, kept on purpose: the ``tesseract`` command on the whole photo
  (``-l spa+eng --psm 3``, automatic page segmentation), what one gets without any work. It reads
  no boxes or confidences (one line per line of output, the whole photo as its box).
- every OCR capability the composition root declares (``ova.bootstrap.capabilities``, ``serves="ocr"``):
  its local adapter, and the one ``OCR_PROVIDER`` selects when that is another (a remote one, e.g.
  ``OCR_PROVIDER=openai-compatible make bench-vision``), built by the ``AI`` container the app uses.
  Fake readers are left out: they read nothing real.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from ova.application.ports.vision import TextReader
from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import Box, RgbImage


class TesseractCliReader:
    """The baseline: ``tesseract IMAGE stdout -l spa+eng --psm 3`` on the photo as a PNG file."""

    def __init__(self, languages: str = "spa+eng", psm: int = 3, executable: str = "tesseract") -> None:
        self._command = [executable, "IMAGE", "stdout", "-l", languages, "--psm", str(psm)]

    @property
    def model(self) -> str:
        return "tesseract-cli-psm3"

    async def read(self, image: RgbImage, *, lang: str) -> ReadText:
        return await asyncio.to_thread(self._read, image)

    def _read(self, image: RgbImage) -> ReadText:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "photo.png"
            Image.frombytes("RGB", (image.width, image.height), image.pixels).save(path)
            command = [str(path) if part == "IMAGE" else part for part in self._command]
            done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
        whole = Box(0, 0, image.width, image.height)
        return ReadText(tuple(TextLine(line.strip(), 1.0, whole) for line in done.stdout.splitlines() if line.strip()))


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def composition_root_readers() -> list[TextReader]:
    """The local adapter of each OCR capability in the app's registry (none until one is declared)."""
    from ova.bootstrap.ai import AI
    from ova.bootstrap.capabilities import CAPABILITIES
    from ova.config import load_settings

    settings = load_settings()
    ai: Any = AI(settings=settings.ai, chat_settings=settings.chat,
                 max_upload_bytes=settings.http.max_upload_bytes, default_language=settings.default_language)
    found: list[TextReader] = []
    for capability in CAPABILITIES:
        if capability.serves != "ocr":
            continue
        for provider in (capability.local, capability.serves):
            reader = getattr(ai, provider)()
            if not reader.model.startswith("fake") and reader.model not in {r.model for r in found}:
                found.append(reader)
    return found


def readers() -> list[TextReader]:
    """Every option: the baseline first (when ``tesseract`` is installed), then the app's own."""
    found: list[TextReader] = [TesseractCliReader()] if tesseract_available() else []
    if not found:
        print("tesseract is not installed: no baseline row "
              "(apt-get install -y tesseract-ocr tesseract-ocr-spa tesseract-ocr-eng)")
    return found + composition_root_readers()

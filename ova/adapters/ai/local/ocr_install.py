"""Whether Tesseract and the languages ova reads are installed here, and what to run when not.

Tesseract is a system program (Debian's ``tesseract-ocr``, Apache-2.0), run as a separate process; each
language is its own package (``tesseract-ocr-spa``). ``make install`` installs them; these checks let
the reader refuse with a clear message and the health report and ``ova config check`` say which is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from attrs import frozen

LANGUAGES = {"es": "spa", "en": "eng"}
"""ova's request languages → Tesseract's language codes."""
APT_COMMAND = "apt-get install -y tesseract-ocr tesseract-ocr-spa tesseract-ocr-eng"


@frozen
class TesseractInstall:
    """A Tesseract found on this machine: its path, version and the languages it has."""

    path: str
    version: str
    languages: frozenset[str]


class TesseractMissing(Exception):
    """Tesseract or a language ova needs is not installed; the message says what to install."""


def find_tesseract(binary: str = "tesseract", tessdata: str | None = None, timeout_s: float = 10.0) -> TesseractInstall:
    """The installed Tesseract with every language of ``LANGUAGES``, or ``TesseractMissing`` naming
    what is missing (the program, or the packages of the missing languages) and the command to install it."""
    path = shutil.which(binary)
    if path is None:
        raise TesseractMissing(f"Tesseract no está instalado ({APT_COMMAND}).")
    try:
        version = _run(path, ["--version"], timeout_s).splitlines()
        listed = _run(path, [*tessdata_option(tessdata), "--list-langs"], timeout_s).splitlines()
    except (OSError, subprocess.SubprocessError) as error:
        raise TesseractMissing(f"Tesseract ({path}) no responde: {error}") from error
    languages = frozenset(line.strip() for line in listed[1:] if line.strip())
    missing = [code for code in LANGUAGES.values() if code not in languages]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        raise TesseractMissing(
            f"Faltan idiomas de Tesseract: {', '.join(missing)} (apt-get install -y {packages}).")
    return TesseractInstall(path=path, version=version[0].strip() if version else "tesseract", languages=languages)


def tesseract_problem(binary: str = "tesseract", tessdata: str | None = None) -> str | None:
    """What is missing for OCR on this machine (``None``: Tesseract and its languages are installed)."""
    try:
        find_tesseract(binary, tessdata)
    except TesseractMissing as missing:
        return str(missing)
    return None


def tessdata_option(tessdata: str | None) -> list[str]:
    return ["--tessdata-dir", tessdata] if tessdata else []


def tesseract_environment() -> dict[str, str]:
    """One thread per Tesseract run: its OpenMP threads only fight the other requests on a small machine."""
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(path: str, arguments: list[str], timeout_s: float) -> str:
    done = subprocess.run([path, *arguments],  # noqa: S603 (our own arguments, no shell)
                          capture_output=True, timeout=timeout_s, check=False,
                          env=tesseract_environment())
    # --version prints to stdout in Tesseract 5 (to stderr in 4); --list-langs to stdout.
    return (done.stdout or done.stderr).decode("utf-8", "replace")

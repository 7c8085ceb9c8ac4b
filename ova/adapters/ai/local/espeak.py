"""The instant voice: espeak-ng (Debian's ``espeak-ng`` package, GPL-3.0), run as a separate process.

Formant synthesis: robotic, but it takes about 25 ms a sentence and is the voice many screen-reader
users know. It runs as its own process (``espeak-ng -v es --stdout``, the text on its standard input),
so nothing of it is linked into ova, and a stuck run is killed after ``timeout_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import struct

import numpy as np

from ova.adapters.ai.audio import Samples, wav_bytes
from ova.adapters.ai.local.speech import check_language, check_voice
from ova.domain.errors import ModelUnavailable
from ova.domain.speech import Speech

ESPEAK_VOICES = {"es": "es", "en": "en-us"}
"""espeak-ng's voice for each language (``es``: Castilian Spanish, ``en-us``: American English)."""


class EspeakTextToSpeech:
    """espeak-ng in Spanish or English, 22,050 Hz mono. ``binary``: the program's name or path."""

    model = "espeak-ng (formant synthesis)"
    voices = tuple(ESPEAK_VOICES.values())

    def __init__(self, *, binary: str = "espeak-ng", timeout_s: float = 30.0, words_per_minute: int = 160) -> None:
        self._binary = binary
        self._timeout_s = timeout_s
        self._words_per_minute = words_per_minute
        self._path: str | None = None

    @property
    def loaded(self) -> bool:
        return self._path is not None

    def load(self) -> None:
        """Finds the program (``ModelUnavailable`` when it is not installed)."""
        path = shutil.which(self._binary)
        if path is None:
            raise ModelUnavailable("espeak-ng no está instalado (apt-get install espeak-ng).")
        self._path = path

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        """``voice`` (``es`` or ``en-us``) wins over ``language``; without it, ``language``'s voice."""
        check_voice(voice, self.voices)
        check_language(language)
        if self._path is None:
            self.load()
        assert self._path is not None
        process = await asyncio.create_subprocess_exec(
            self._path, "-v", voice or ESPEAK_VOICES[language], "-s", str(self._words_per_minute), "--stdout",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(text.encode("utf-8")), timeout=self._timeout_s)
        except (TimeoutError, asyncio.CancelledError):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        if process.returncode != 0:
            raise ModelUnavailable("espeak-ng no pudo sintetizar el texto.")
        rate, samples = parse_stdout_wav(out)
        return Speech(wav=wav_bytes(samples, rate), sample_rate=rate, duration_s=round(samples.size / rate, 3))


def parse_stdout_wav(data: bytes) -> tuple[int, Samples]:
    """The sample rate and float samples of the WAV espeak-ng writes to a pipe: 16-bit mono PCM whose
    header cannot give the true sizes (it is written before the audio), so the data runs to the end."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ModelUnavailable("espeak-ng no devolvió un WAV.")
    position, rate, bits = 12, 0, 0
    while position + 8 <= len(data):
        kind, size = data[position:position + 4], struct.unpack("<I", data[position + 4:position + 8])[0]
        body = position + 8
        if kind == b"fmt ":
            _format, channels, rate, _rate_bytes, _align, bits = struct.unpack("<HHIIHH", data[body:body + 16])
            if channels != 1 or bits != 16:
                raise ModelUnavailable("espeak-ng devolvió un WAV que no es PCM mono de 16 bits.")
        elif kind == b"data":
            pcm = data[body:]
            pcm = pcm[: len(pcm) // 2 * 2]
            if not rate:
                break
            return rate, np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        position = body + size + (size & 1)
    raise ModelUnavailable("espeak-ng devolvió un WAV sin audio.")

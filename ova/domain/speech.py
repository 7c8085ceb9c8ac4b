"""Speech: audio clips in, transcripts out; text in, WAV out."""

from __future__ import annotations

import array
import enum
import io
import sys
import wave
from collections.abc import Sequence

from attrs import field, frozen

from ova.domain.errors import InvalidInput

SPEECH_LANGUAGES = ("es", "en")
"""The languages speech is synthesised in (``lang`` of ``/audio/sintetizar``)."""


class SpeechLanguage(enum.StrEnum):
    """What a voice note may be heard as: Spanish, English, or ``auto`` (the speech model's own
    detection when it is sure enough, else the default language)."""

    ES = "es"
    EN = "en"
    AUTO = "auto"

    @classmethod
    def parse(cls, value: str, *, field: str = "lang") -> SpeechLanguage:
        """``value`` (case and surrounding spaces ignored) as a ``SpeechLanguage``; anything else is
        ``InvalidInput`` listing the accepted values."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            accepted = ", ".join(language.value for language in cls)
            raise InvalidInput(f"Idioma desconocido: {value[:20]!r}. Valores aceptados: {accepted}.",
                               field=field) from None


@frozen
class AudioClip:
    """Encoded audio as uploaded (WAV, WEBM/Opus, OGG, MP3); ``format`` is a hint, the bytes decide."""

    data: bytes = field(repr=False)
    format: str | None = None


@frozen
class Transcript:
    """``language``: the language the speech was transcribed as (ISO 639-1, ``und`` when a remote
    provider does not say)."""

    text: str
    language: str
    duration_s: float


@frozen
class Speech:
    """A RIFF/WAVE file (16-bit PCM, mono)."""

    wav: bytes = field(repr=False)
    sample_rate: int
    duration_s: float


def resampled(pcm: bytes, source_rate: int, rate: int) -> bytes:
    """16-bit mono ``pcm`` at ``source_rate`` as samples at ``rate`` (linear interpolation: enough for
    speech, and only needed when one answer's sentences came from two engines)."""
    if source_rate == rate or not pcm:
        return pcm
    samples = array.array("h", pcm[: len(pcm) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    last = len(samples) - 1
    step = source_rate / rate
    out = array.array("h", bytes(2 * max(1, round(len(samples) * rate / source_rate))))
    for i in range(len(out)):
        position = i * step
        j = min(int(position), last)
        fraction = position - j
        following = samples[j + 1] if j < last else samples[j]
        out[i] = round(samples[j] + (following - samples[j]) * fraction)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def join_speech(parts: Sequence[Speech], *, pause_s: float = 0.0) -> Speech:
    """One WAV of ``parts`` in order, ``pause_s`` of silence between two of them, at the first part's
    sample rate: a part at another rate (a fallback engine took over mid-answer) is resampled to it.
    ``ValueError`` when there is none."""
    if not parts:
        raise ValueError("nothing to join")
    if len(parts) == 1:
        return parts[0]
    rate = parts[0].sample_rate
    silence = bytes(2 * int(pause_s * rate))
    frames: list[bytes] = []
    for part in parts:
        with wave.open(io.BytesIO(part.wav), "rb") as reader:
            if reader.getnchannels() != 1 or reader.getsampwidth() != 2:
                raise ValueError("only 16-bit mono parts can be joined")
            pcm = resampled(reader.readframes(reader.getnframes()), reader.getframerate(), rate)
        if pcm:
            frames.extend((silence, pcm) if frames else (pcm,))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(frames))
    samples = sum(len(chunk) for chunk in frames) // 2
    return Speech(wav=buffer.getvalue(), sample_rate=rate, duration_s=round(samples / rate, 3))

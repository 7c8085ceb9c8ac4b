"""Speech: audio clips in, transcripts out; text in, WAV out."""

from __future__ import annotations

from attrs import field, frozen


@frozen
class AudioClip:
    """Encoded audio as uploaded (WAV, WEBM/Opus, OGG, MP3); ``format`` is a hint, the bytes decide."""

    data: bytes = field(repr=False)
    format: str | None = None


@frozen
class Transcript:
    text: str
    language: str
    duration_s: float


@frozen
class Speech:
    """A RIFF/WAVE file (16-bit PCM, mono)."""

    wav: bytes = field(repr=False)
    sample_rate: int
    duration_s: float

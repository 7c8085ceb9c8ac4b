"""Speech: audio clips in, transcripts out; text in, WAV out."""

from __future__ import annotations

import enum

from attrs import field, frozen

from ova.domain.errors import InvalidInput


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

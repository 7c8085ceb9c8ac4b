"""Speech to text and text to speech through the Inference API."""

from __future__ import annotations

import asyncio
import io
import wave

import av
import av.error
import httpx

from ova.adapters.ai.huggingface.client import HuggingFaceClient, malformed
from ova.domain.errors import InvalidInput, UnreadableMedia
from ova.domain.speech import SPEECH_LANGUAGES, AudioClip, Speech, SpeechLanguage, Transcript

_MAGIC = ((b"RIFF", "audio/wav"), (b"OggS", "audio/ogg"), (b"\x1aE\xdf\xa3", "audio/webm"),
          (b"fLaC", "audio/flac"), (b"ID3", "audio/mpeg"), (b"\xff\xfb", "audio/mpeg"), (b"\xff\xf3", "audio/mpeg"))


def content_type(data: bytes) -> str:
    """The MIME type the bytes announce (the upload's name or hint is not trusted)."""
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), "application/octet-stream")


class HfSpeechToText:
    """POSTs the clip as uploaded; the answer is ``{"text": ...}``.

    The clip is opened locally first (PyAV) to reject non-audio with ``UnreadableMedia`` before any
    remote call, and to measure ``duration_s``. The audio is sent as raw bytes, a request that takes
    no parameters, so the asked ``language`` is not passed on (the remote model detects it itself), and
    the Inference API does not say which language it heard: ``language`` is ``"und"``
    (undetermined, BCP 47). When the local model stands in (``AI_FALLBACK_LOCAL``) it gets the language.
    """

    def __init__(self, client: HuggingFaceClient, model: str) -> None:
        self._client = client
        self._model = model
        self.breaker = client.new_breaker(f"Hugging Face ({model})")

    @property
    def model(self) -> str:
        return self._model

    async def transcribe(self, clip: AudioClip, *, language: SpeechLanguage) -> Transcript:
        duration = await asyncio.to_thread(audio_duration, clip.data)

        def parse(response: httpx.Response) -> str:
            text = response.json()["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
            return text.strip()

        text = await self._client.post_model(
            self._model, self.breaker, parse, content=clip.data, content_type=content_type(clip.data),
            accept="application/json",
        )
        return Transcript(text=text, language="und", duration_s=round(duration, 3))


class HfTextToSpeech:
    """POSTs ``{"inputs": text}``; the audio answer (WAV, FLAC, MP3...) becomes 16-bit mono WAV.

    The model (``HF_TTS_MODEL``) speaks one language, whatever ``language`` says; ``voice`` is ignored."""

    voices: tuple[str, ...] = ("default",)

    def __init__(self, client: HuggingFaceClient, model: str) -> None:
        self._client = client
        self._model = model
        self.breaker = client.new_breaker(f"Hugging Face ({model})")

    @property
    def model(self) -> str:
        return self._model

    async def synthesize(self, text: str, *, voice: str | None = None, language: str = "es") -> Speech:
        if language not in SPEECH_LANGUAGES:
            raise InvalidInput(f"Idioma no disponible: {language!r}. Idiomas disponibles: "
                               f"{', '.join(SPEECH_LANGUAGES)}.", field="lang")

        async def attempt() -> Speech:
            response = await self._client.send(self._model, self.breaker, json={"inputs": text}, accept="audio/wav")
            try:
                return await asyncio.to_thread(to_wav, response.content)
            except UnreadableMedia as exc:  # the provider's audio is broken: a malformed answer
                raise malformed(self.breaker.name) from exc

        return await self._client.call(attempt, self.breaker)


def audio_duration(data: bytes) -> float:
    """Seconds of audio in ``data``; raises ``UnreadableMedia`` if it is not decodable audio."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise UnreadableMedia("El archivo no contiene audio.")
            if container.duration:
                return container.duration / 1_000_000
            return sum(frame.samples / frame.sample_rate for frame in container.decode(audio=0))
    except (av.error.FFmpegError, ValueError, ZeroDivisionError) as exc:
        raise UnreadableMedia("No se pudo leer el audio enviado.") from exc


def to_wav(data: bytes) -> Speech:
    """Any audio PyAV decodes → RIFF/WAVE, 16-bit PCM, mono, at the source's sample rate."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.audio[0]
            rate = stream.rate or stream.codec_context.sample_rate
            resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
            pcm = bytearray()
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pcm += out.to_ndarray().tobytes()
            for out in resampler.resample(None):
                pcm += out.to_ndarray().tobytes()
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise UnreadableMedia("La voz sintetizada no es audio válido.") from exc
    if not pcm or not rate:
        raise UnreadableMedia("La voz sintetizada está vacía.")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out_file:
        out_file.setnchannels(1)
        out_file.setsampwidth(2)
        out_file.setframerate(rate)
        out_file.writeframes(bytes(pcm))
    return Speech(wav=buffer.getvalue(), sample_rate=rate, duration_s=round(len(pcm) / 2 / rate, 3))

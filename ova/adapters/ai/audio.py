"""Audio helpers for the speech adapters: decode any upload to 16 kHz mono, write and read WAV.

``decode_to_mono16k`` decodes with PyAV (the FFmpeg libraries bundled in its wheel), so WAV,
WEBM/Opus, OGG (Opus or Vorbis), MP3 and M4A/AAC all work without a system FFmpeg. The bytes decide
the format, not a name or a content type. Whatever FFmpeg cannot read as audio becomes
``UnreadableMedia``; audio longer than ``max_seconds`` becomes ``MediaTooLarge`` as soon as the
decoder passes the limit, so a small, highly compressed file cannot make the server decode hours.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import av
import av.audio.frame
import av.audio.resampler
import numpy as np
import numpy.typing as npt

from ova.domain.errors import MediaTooLarge, UnreadableMedia

SAMPLE_RATE = 16_000
DEFAULT_MAX_SECONDS = 300.0

Samples = npt.NDArray[np.float32]


def decode_to_mono16k(data: bytes, *, max_seconds: float = DEFAULT_MAX_SECONDS) -> Samples:
    """The first audio stream of ``data`` as float32 samples in [-1, 1], mono, 16 kHz.

    Raises ``UnreadableMedia`` (empty, not audio, damaged, no audio frames) or ``MediaTooLarge``
    (longer than ``max_seconds``, counted while decoding). Blocking: call it from a worker thread.
    """
    if not data:
        raise UnreadableMedia("El archivo de audio está vacío.")
    limit = int(max_seconds * SAMPLE_RATE)
    try:
        return _decode(data, limit, max_seconds)
    except av.FFmpegError as error:  # the container or every packet is not audio FFmpeg can read
        raise UnreadableMedia("No se pudo leer el audio: está dañado o no es un formato de audio.") from error


def _decode(data: bytes, limit: int, max_seconds: float) -> Samples:
    chunks: list[Samples] = []
    total = 0
    seconds_in = 0.0
    with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise UnreadableMedia("El archivo no contiene ninguna pista de audio.")
        resampler = _Resampler()
        for frame in _frames(container, container.streams.audio[0]):
            # Counted before resampling: a header claiming a 1 Hz rate must not become a huge array.
            seconds_in += frame.samples / max(frame.sample_rate, 1)
            if seconds_in > max_seconds:
                raise _too_long(max_seconds)
            for samples in resampler.resample(frame):
                total += samples.size
                if total > limit:
                    raise _too_long(max_seconds)
                chunks.append(samples)
        tail = resampler.flush()
        chunks.extend(tail)
        total += sum(chunk.size for chunk in tail)
    if total == 0:
        raise UnreadableMedia("El archivo no contiene audio que se pueda decodificar.")
    return np.clip(np.concatenate(chunks), -1.0, 1.0)  # a loud stereo downmix can overshoot


def _too_long(max_seconds: float) -> MediaTooLarge:
    return MediaTooLarge(f"El audio dura más de {max_seconds:g} segundos.")


def _frames(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream
) -> Iterator[av.audio.frame.AudioFrame]:
    """Decoded frames. Packets the decoder rejects are skipped (as faster-whisper does); a file cut
    short ends the stream, keeping what came before."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except (StopIteration, av.EOFError):
            return
        try:
            frames = packet.decode()
        except (av.InvalidDataError, av.EOFError):
            continue
        for frame in frames:
            frame.pts = None  # the resampler checks timestamps; broken files have broken ones
            yield frame


class _Resampler:
    """16 kHz mono float32 from frames whose format, layout or rate may change mid-stream
    (chained OGG, damaged MP3 headers): a change flushes the current resampler and starts another."""

    def __init__(self) -> None:
        self._resampler: av.audio.resampler.AudioResampler | None = None
        self._input: tuple[str, str, int] | None = None

    def resample(self, frame: av.audio.frame.AudioFrame) -> list[Samples]:
        shape = (frame.format.name, frame.layout.name, frame.sample_rate)
        out = []
        if shape != self._input:
            out = self.flush()
            self._input = shape
            self._resampler = av.audio.resampler.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        assert self._resampler is not None
        return out + [_mono(chunk) for chunk in self._resampler.resample(frame)]

    def flush(self) -> list[Samples]:
        if self._resampler is None:
            return []
        chunks = [_mono(chunk) for chunk in self._resampler.resample(None)]
        self._resampler = None
        return chunks


def _mono(frame: av.audio.frame.AudioFrame) -> Samples:
    return frame.to_ndarray().reshape(-1).astype(np.float32, copy=False)


def wav_bytes(samples: Samples, sample_rate: int) -> bytes:
    """A RIFF/WAVE file, 16-bit PCM mono, from float samples (clipped to [-1, 1])."""
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def wav_duration(data: bytes) -> float:
    """Seconds of audio in a PCM WAV file (from its header); ``UnreadableMedia`` if it is not one."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            return reader.getnframes() / reader.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError) as error:
        raise UnreadableMedia("El archivo no es un WAV PCM válido.") from error

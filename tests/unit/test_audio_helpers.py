from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from ova.adapters.ai.audio import decode_to_mono16k, wav_bytes, wav_duration
from ova.domain.errors import MediaTooLarge, UnreadableMedia


def _read(data: bytes) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """(channels, sample width, rate, frames) and the samples."""
    with wave.open(io.BytesIO(data), "rb") as reader:
        header = (reader.getnchannels(), reader.getsampwidth(), reader.getframerate(), reader.getnframes())
        return header, np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")


def _stereo_wav(left: float, right: float, frames: int, rate: int) -> bytes:
    pcm = np.empty((frames, 2), "<i2")
    pcm[:, 0], pcm[:, 1] = round(left * 32767), round(right * 32767)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def test_wav_bytes_writes_a_16_bit_mono_riff_file_at_the_given_rate() -> None:
    data = wav_bytes(np.zeros(2205, np.float32), 22050)

    header, _ = _read(data)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert header == (1, 2, 22050, 2205)


def test_wav_bytes_clips_samples_outside_minus_one_to_one() -> None:
    _, pcm = _read(wav_bytes(np.array([2.0, 1.0, 0.5, 0.0, -0.5, -1.0, -7.0], np.float32), 16000))

    assert pcm.tolist() == [32767, 32767, 16384, 0, -16384, -32767, -32767]


def test_wav_bytes_of_no_samples_is_a_valid_empty_file() -> None:
    assert wav_duration(wav_bytes(np.zeros(0, np.float32), 24000)) == 0.0


def test_wav_duration_is_frames_over_rate() -> None:
    assert wav_duration(wav_bytes(np.zeros(36000, np.float32), 24000)) == pytest.approx(1.5)


@pytest.mark.parametrize("data", [b"", b"hello", b"RIFF\x00\x00"], ids=["empty", "text", "truncated"])
def test_wav_duration_of_something_else_is_unreadable_media(data: bytes) -> None:
    with pytest.raises(UnreadableMedia):
        wav_duration(data)


def test_decoding_resamples_to_16_khz_mono_float32() -> None:
    stereo_8k = _stereo_wav(0.5, 0.25, 8000, 8000)

    samples = decode_to_mono16k(stereo_8k)

    assert samples.dtype == np.float32 and samples.ndim == 1
    assert samples.size == pytest.approx(16000, abs=32)
    assert 0.25 < float(np.median(samples)) < 0.6  # a mix of both channels (FFmpeg mixes at -3 dB each)


def test_decoding_stops_at_max_seconds() -> None:
    with pytest.raises(MediaTooLarge):
        decode_to_mono16k(wav_bytes(np.zeros(16000 * 3, np.float32), 16000), max_seconds=2)


def test_a_header_claiming_a_tiny_sample_rate_is_too_long_not_a_huge_array() -> None:
    bomb = wav_bytes(np.zeros(6000, np.float32), 1)  # 6 kB that would be 6000 s at 16 kHz

    with pytest.raises(MediaTooLarge):
        decode_to_mono16k(bomb)

"""Spanish speech for real: Kokoro-82M speaks with Spanish phonemes (and Whisper base understands it),
espeak-ng speaks as a separate process."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from ova.adapters.ai.local.espeak import EspeakTextToSpeech
from ova.adapters.ai.local.kokoro import KokoroFiles, KokoroTextToSpeech
from ova.adapters.ai.pool import InferencePool
from ova.adapters.models.store import LocalModelStore
from ova.domain.speech import Speech

MODELS = Path(__file__).resolve().parents[2] / "data" / "models"
"""The models' cache folder ``make run`` uses (``OVA_MODELS_DIR``'s default): Kokoro is joined there once."""


@pytest.fixture(scope="module")
def store() -> LocalModelStore:
    return LocalModelStore(MODELS)


@pytest.fixture(scope="module")
def kokoro(store: LocalModelStore) -> KokoroTextToSpeech:
    def files() -> KokoroFiles:
        return KokoroFiles(model=store.file("kokoro-82m", "kokoro-v1.0.int8.onnx"),
                           vocab=store.file("kokoro-82m", "vocab.json"),
                           voices=store.file("kokoro-82m", "voices_ja.npz"))

    adapter = KokoroTextToSpeech(files=files, pool=InferencePool("kokoro-test", workers=1, queue=8), threads=2)
    adapter.load()
    return adapter


def _samples(speech: Speech) -> tuple[int, np.ndarray]:
    with wave.open(io.BytesIO(speech.wav), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        rate = reader.getframerate()
        pcm = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2").astype(np.float32) / 32768
    assert speech.sample_rate == rate
    assert speech.duration_s == pytest.approx(pcm.size / rate, abs=0.01)
    return rate, pcm


async def test_kokoro_speaks_a_short_spanish_sentence_as_24_khz_mono_audio_of_plausible_length(
    kokoro: KokoroTextToSpeech,
) -> None:
    rate, pcm = _samples(await kokoro.synthesize("Hola, ¿cómo estás hoy?", language="es"))

    assert rate == 24_000
    assert 0.8 < pcm.size / rate < 4.0  # seven syllables
    assert float(np.sqrt(np.mean(pcm**2))) > 0.02  # speech, not silence
    assert float(np.max(np.abs(pcm))) > 0.1


async def test_kokoro_reads_numbers_in_words(kokoro: KokoroTextToSpeech) -> None:
    with_number = await kokoro.synthesize("Tengo 25 años.")
    without = await kokoro.synthesize("Tengo años.")

    assert with_number.duration_s > without.duration_s + 0.4  # "veinticinco" is five syllables


async def test_kokoro_speaks_long_text_sentence_by_sentence_in_one_wav(kokoro: KokoroTextToSpeech) -> None:
    sentence = "La capital de España es Madrid."
    one = await kokoro.synthesize(sentence)
    three = await kokoro.synthesize(" ".join([sentence] * 3))

    assert three.duration_s == pytest.approx(3 * one.duration_s + 2 * 0.12, abs=0.05)


async def test_kokoro_speech_is_understood_by_whisper_base_in_spanish(
    kokoro: KokoroTextToSpeech, store: LocalModelStore,
) -> None:
    from faster_whisper import WhisperModel

    speech = await kokoro.synthesize("Necesito ayuda para cruzar la calle.")
    whisper = WhisperModel(str(store.folder("whisper-base")), device="cpu", compute_type="int8", cpu_threads=2)
    _, pcm = _samples(speech)
    segments, _ = whisper.transcribe(_resample_16k(pcm), language="es", beam_size=1)
    heard = " ".join(segment.text for segment in segments).lower()

    assert {"ayuda", "cruzar", "calle"} <= {word.strip(".,¿?¡!") for word in heard.split()}, heard


def _resample_16k(pcm: np.ndarray) -> np.ndarray:
    """24 kHz → 16 kHz by linear interpolation (plenty for speech recognition)."""
    positions = np.arange(0, pcm.size, 1.5)
    return np.interp(positions, np.arange(pcm.size), pcm).astype(np.float32)


@pytest.mark.parametrize(("language", "text"), [("es", "Hola, ¿cómo estás hoy?"), ("en", "Hello, how are you?")])
async def test_espeak_speaks_spanish_and_english_at_once(language: str, text: str) -> None:
    rate, pcm = _samples(await EspeakTextToSpeech().synthesize(text, language=language))

    assert rate == 22_050
    assert 0.8 < pcm.size / rate < 4.0
    assert float(np.sqrt(np.mean(pcm**2))) > 0.02

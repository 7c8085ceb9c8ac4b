"""The same assertions for the local speech models and their fakes, so the fakes cannot drift.

Text to speech runs on the fake, on hibari (English), on Kokoro (Spanish), on espeak-ng, and on the
local adapter as configured by default (Kokoro for Spanish, hibari for English)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from ova.adapters.ai.audio import wav_bytes
from ova.adapters.ai.fakes.speech import FakeSpeechToText, FakeTextToSpeech
from ova.adapters.ai.local.by_language import ByLanguage
from ova.adapters.ai.local.espeak import EspeakTextToSpeech
from ova.adapters.ai.local.speech import HibariTextToSpeech, WhisperSpeechToText
from ova.adapters.ai.pool import InferencePool
from ova.adapters.models.store import LocalModelStore
from ova.application.ports.speech import SpeechToText, TextToSpeech
from ova.bootstrap.capabilities import make_local_tts
from ova.config.settings import AiSettings
from ova.domain.errors import InvalidInput, UnreadableMedia
from ova.domain.speech import SPEECH_LANGUAGES, AudioClip, Speech

MODELS = Path(__file__).resolve().parents[2] / "data" / "models"
"""The models' cache folder ``make run`` uses (``OVA_MODELS_DIR``'s default): Kokoro is joined there once."""


@pytest.fixture(scope="module")
def pool() -> InferencePool:
    return InferencePool("speech-contract", workers=1, queue=8)


@pytest.fixture(scope="module")
def local_tts(pool: InferencePool) -> HibariTextToSpeech:
    adapter = HibariTextToSpeech(pool=pool)
    adapter.load()
    return adapter


@pytest.fixture(scope="module")
def configured_tts(pool: InferencePool) -> ByLanguage:
    """The default local text to speech (``TTS_LOCAL_VOICE=kokoro``): Kokoro in Spanish, hibari in English."""
    adapter = make_local_tts(LocalModelStore(MODELS), AiSettings(tts_threads=2), pool)
    adapter.load()
    return adapter


@pytest.fixture(scope="module")
def espeak_tts() -> EspeakTextToSpeech:
    adapter = EspeakTextToSpeech()
    adapter.load()
    return adapter


@pytest.fixture(scope="module")
def local_stt(pool: InferencePool) -> WhisperSpeechToText:
    adapter = WhisperSpeechToText(pool=pool)
    adapter.load()
    return adapter


@pytest.fixture(params=["fake", "hibari", "kokoro+hibari", "espeak"])
def tts(request: pytest.FixtureRequest) -> TextToSpeech:
    if request.param == "fake":
        return FakeTextToSpeech()
    fixture = {"hibari": "local_tts", "kokoro+hibari": "configured_tts", "espeak": "espeak_tts"}[request.param]
    adapter: TextToSpeech = request.getfixturevalue(fixture)
    return adapter


@pytest.fixture(params=["fake", "local"])
def stt(request: pytest.FixtureRequest) -> SpeechToText:
    if request.param == "fake":
        return FakeSpeechToText()
    adapter: SpeechToText = request.getfixturevalue("local_stt")
    return adapter


def _assert_valid_wav(speech: Speech) -> float:
    """Checks the header against ``speech``; returns the seconds the file holds."""
    with wave.open(io.BytesIO(speech.wav), "rb") as reader:
        assert reader.getnchannels() == 1
        assert reader.getsampwidth() == 2
        assert reader.getframerate() == speech.sample_rate
        seconds = reader.getnframes() / reader.getframerate()
    assert speech.duration_s == pytest.approx(seconds, abs=0.05)
    return seconds


async def test_speech_is_a_wav_whose_header_matches_rate_and_duration(tts: TextToSpeech) -> None:
    seconds = _assert_valid_wav(await tts.synthesize("Hello, how can I help you today?"))

    assert seconds > 0


async def test_the_default_voice_and_every_listed_voice_speak(tts: TextToSpeech) -> None:
    assert tts.voices
    assert tts.model
    for voice in (None, *tts.voices):
        _assert_valid_wav(await tts.synthesize("Good morning.", voice=voice))


async def test_longer_text_gives_longer_speech(tts: TextToSpeech) -> None:
    short = await tts.synthesize("Yes.")
    long = await tts.synthesize("Yes. I will remind you to water the plants tomorrow at nine in the morning.")

    assert long.duration_s > short.duration_s


async def test_an_unlisted_voice_is_invalid_input(tts: TextToSpeech) -> None:
    with pytest.raises(InvalidInput):
        await tts.synthesize("Hello.", voice="no-such-voice")


async def test_both_languages_speak_and_any_other_is_invalid_input(tts: TextToSpeech) -> None:
    for language in SPEECH_LANGUAGES:
        assert _assert_valid_wav(await tts.synthesize("Buenos días. Good morning.", language=language)) > 0.3
    with pytest.raises(InvalidInput) as error:
        await tts.synthesize("Bonjour.", language="fr")
    assert error.value.field == "lang"


async def test_a_valid_wav_gives_a_transcript(stt: SpeechToText) -> None:
    tone = (0.2 * np.sin(2 * np.pi * 330 * np.arange(16000) / 16000)).astype(np.float32)

    transcript = await stt.transcribe(AudioClip(wav_bytes(tone, 16000), format="wav"))

    assert isinstance(transcript.text, str)
    assert len(transcript.language) == 2 and transcript.language.isalpha() and transcript.language.islower()
    assert transcript.duration_s >= 0
    assert transcript.duration_s == pytest.approx(1.0, abs=0.05)
    assert stt.model


async def test_empty_input_is_unreadable_media(stt: SpeechToText) -> None:
    with pytest.raises(UnreadableMedia):
        await stt.transcribe(AudioClip(b""))

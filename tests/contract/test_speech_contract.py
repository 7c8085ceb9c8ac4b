"""The same assertions for the speech adapters (local models, Hugging Face and an OpenAI-compatible
server against local stand-ins) and their fakes, so the fakes cannot drift.

Text to speech runs on the fake, on hibari (English), on Kokoro (Spanish), on espeak-ng, on the
local adapter as configured by default (Kokoro for Spanish, hibari for English) and on an
OpenAI-compatible speech server."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import attrs
import httpx
import numpy as np
import pytest

from ova.adapters.ai.audio import wav_bytes
from ova.adapters.ai.fakes.speech import FakeSpeechToText, FakeTextToSpeech
from ova.adapters.ai.huggingface import HfSpeechToText, HuggingFaceClient
from ova.adapters.ai.local.by_language import ByLanguage
from ova.adapters.ai.local.espeak import EspeakTextToSpeech
from ova.adapters.ai.local.speech import HibariTextToSpeech
from ova.adapters.ai.local.whisper import WhisperSpeechToText
from ova.adapters.ai.openai_speech import OpenAICompatibleTextToSpeech
from ova.adapters.ai.openai_transcription import OpenAICompatibleSpeechToText
from ova.adapters.ai.pool import InferencePool
from ova.adapters.ai.resilience import CircuitBreaker
from ova.adapters.models.store import LocalModelStore
from ova.application.ports.speech import SpeechToText, TextToSpeech
from ova.bootstrap.factories import make_local_tts
from ova.config.settings import AiSettings
from ova.domain.errors import InvalidInput, UnreadableMedia, UnsupportedLanguage
from ova.domain.speech import SPEECH_LANGUAGES, AudioClip, Speech, SpeechLanguage
from tests.fakes.hf_server import FakeHuggingFace, ok
from tests.fakes.served import served
from tests.fakes.speech_server import FakeSpeechServer
from tests.local_models import whisper

MODELS = Path(__file__).resolve().parents[2] / "data" / "models"
"""The models' cache folder ``make run`` uses (``OVA_MODELS_DIR``'s default): Kokoro is joined there once."""
HF_WHISPER = "openai/whisper-large-v3"


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
def whisper_base(pool: InferencePool) -> WhisperSpeechToText:
    adapter = whisper(pool, "whisper-base")
    adapter.load()
    return adapter


@pytest.fixture(scope="module")
def whisper_tiny_en(pool: InferencePool) -> WhisperSpeechToText:
    adapter = whisper(pool, "whisper-tiny.en")
    adapter.load()
    return adapter


hf_server = served(FakeHuggingFace)


@pytest.fixture
async def hf_stt(hf_server: tuple[FakeHuggingFace, str]) -> AsyncIterator[HfSpeechToText]:
    fake, base = hf_server
    fake.reset()
    fake.script(f"/models/{HF_WHISPER}", ok({"text": "hola"}))
    async with httpx.AsyncClient() as http:
        yield HfSpeechToText(HuggingFaceClient(f"{base}/models", None, http=http, timeout_s=5), HF_WHISPER)


speech_server = served(FakeSpeechServer)


def speech_breaker() -> CircuitBreaker:
    return CircuitBreaker("El servidor de voz", failure_threshold=5, reset_after_s=30)


@pytest.fixture
async def remote_stt(speech_server: tuple[FakeSpeechServer, str]) -> AsyncIterator[OpenAICompatibleSpeechToText]:
    """A server with ``verbose_json`` that hears Spanish when it detects the language; it names it as
    OpenAI does (``"spanish"``) unless the test sets ``verbose_style``."""
    fake, base = speech_server
    fake.reset()
    async with httpx.AsyncClient() as http:
        yield OpenAICompatibleSpeechToText(f"{base}/v1", None, "Systran/faster-whisper-base", http=http, timeout_s=5,
                                           breaker=speech_breaker())


@pytest.fixture
async def remote_tts(speech_server: tuple[FakeSpeechServer, str]) -> AsyncIterator[OpenAICompatibleTextToSpeech]:
    speech_server[0].reset()
    async with httpx.AsyncClient() as http:
        yield OpenAICompatibleTextToSpeech(f"{speech_server[1]}/v1", None, "kokoro",
                                           voices_by_language={"es": "ef_dora", "en": "af_heart"}, http=http,
                                           timeout_s=5, breaker=speech_breaker())


@pytest.fixture(params=["fake", "hibari", "kokoro+hibari", "espeak", "openai-compatible"])
def tts(request: pytest.FixtureRequest) -> TextToSpeech:
    if request.param == "fake":
        return FakeTextToSpeech()
    fixture = {"hibari": "local_tts", "kokoro+hibari": "configured_tts", "espeak": "espeak_tts",
               "openai-compatible": "remote_tts"}[request.param]
    adapter: TextToSpeech = request.getfixturevalue(fixture)
    return adapter


@attrs.frozen
class Listener:
    """A speech-to-text adapter and what its contract promises about languages: those it can hear,
    and whether it says which one it used (Hugging Face's API does not: ``und``)."""

    adapter: SpeechToText
    hears: tuple[str, ...]
    says_language: bool = True


@pytest.fixture(params=["fake", "fake-english-only", "whisper-base", "whisper-tiny.en", "huggingface",
                        "openai-compatible", "openai-compatible-codes"])
def listener(request: pytest.FixtureRequest) -> Listener:
    match request.param:
        case "fake":
            return Listener(FakeSpeechToText(), ("es", "en"))
        case "fake-english-only":
            return Listener(FakeSpeechToText(languages=("en",), default_language="en"), ("en",))
        case "whisper-base":
            return Listener(request.getfixturevalue("whisper_base"), ("es", "en"))
        case "whisper-tiny.en":
            return Listener(request.getfixturevalue("whisper_tiny_en"), ("en",))
        case "openai-compatible":
            return Listener(request.getfixturevalue("remote_stt"), ("es", "en"))
        case "openai-compatible-codes":
            remote = request.getfixturevalue("remote_stt")
            request.getfixturevalue("speech_server")[0].verbose_style = "speaches"
            return Listener(remote, ("es", "en"))
        case _:
            return Listener(request.getfixturevalue("hf_stt"), ("es", "en"), says_language=False)


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


TONE = wav_bytes((0.2 * np.sin(2 * np.pi * 330 * np.arange(16000) / 16000)).astype(np.float32), 16000)


def _is_language_code(value: str) -> bool:
    return (len(value) == 2 and value.isalpha() and value.islower()) or value == "und"


async def test_a_valid_wav_gives_a_transcript(listener: Listener) -> None:
    stt = listener.adapter
    transcript = await stt.transcribe(AudioClip(TONE, format="wav"), language=SpeechLanguage(listener.hears[0]))

    assert isinstance(transcript.text, str)
    assert _is_language_code(transcript.language)
    assert transcript.duration_s == pytest.approx(1.0, abs=0.05)
    assert stt.model


@pytest.mark.parametrize("language", ["es", "en"])
async def test_the_transcript_reports_the_language_asked_for(listener: Listener, language: str) -> None:
    if language not in listener.hears:
        pytest.skip("a language this adapter cannot hear (see the next test)")

    transcript = await listener.adapter.transcribe(AudioClip(TONE), language=SpeechLanguage(language))

    assert transcript.language == (language if listener.says_language else "und")


async def test_a_language_the_model_cannot_hear_is_refused_before_any_work(listener: Listener) -> None:
    missing = [language for language in ("es", "en") if language not in listener.hears]
    if not missing:
        pytest.skip("this adapter hears both languages")

    with pytest.raises(UnsupportedLanguage) as refused:
        await listener.adapter.transcribe(AudioClip(b""), language=SpeechLanguage(missing[0]))  # not even read

    assert refused.value.code == "unsupported_language"
    assert refused.value.field == "lang"


async def test_auto_uses_a_language_the_adapter_can_hear(listener: Listener) -> None:
    transcript = await listener.adapter.transcribe(AudioClip(TONE), language=SpeechLanguage.AUTO)

    assert transcript.language in (listener.hears if listener.says_language else ("und",))


async def test_empty_input_is_unreadable_media(listener: Listener) -> None:
    with pytest.raises(UnreadableMedia):
        await listener.adapter.transcribe(AudioClip(b""), language=SpeechLanguage(listener.hears[0]))

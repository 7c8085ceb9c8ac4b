"""The remote speech adapters against a local server that speaks the OpenAI audio API (speaches, vLLM,
LocalAI, OpenAI): transcription and synthesis, their deadline, retries, circuit breaker and fallback to
the local model, and what a client of the HTTP API sees."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Literal

import av
import httpx
import numpy as np
import pytest
from av.audio.resampler import AudioResampler

from ova.adapters.ai.fakes.speech import FakeSpeechToText, FakeTextToSpeech
from ova.adapters.ai.fallback import default_voice_when_unknown, with_fallback
from ova.adapters.ai.openai_speech import OpenAICompatibleTextToSpeech
from ova.adapters.ai.openai_transcription import OpenAICompatibleSpeechToText
from ova.adapters.ai.resilience import CircuitBreaker
from ova.application.ports.speech import SpeechToText, TextToSpeech
from ova.application.speech.use_cases import TranscribeAudio
from ova.config import load_settings
from ova.domain.errors import InvalidInput, ModelUnavailable, NoSpeech, UnreadableMedia
from ova.domain.speech import AudioClip, SpeechLanguage
from ova.entrypoints.app import create_app
from tests.fakes.hf_server import Reply, hang, malformed, server_error
from tests.fakes.resilience import Clock, Sleeps
from tests.fakes.served import fresh, served
from tests.fakes.speech_server import (
    RATE,
    REFUSALS,
    SPEECH,
    TRANSCRIPT,
    TRANSCRIPTIONS,
    FakeSpeechServer,
    spoken_seconds,
    streamed,
    tone,
    transcript,
    verbose_transcript,
    wav,
)

KEY = "sk-speech"
STT_MODEL = "Systran/faster-whisper-base"
TTS_MODEL = "kokoro"
VOICES = {"es": "ef_dora", "en": "af_heart"}
NOTE = (Path(__file__).parent.parent / "data" / "hola-madrid-es.wav").read_bytes()


speech_server = served(FakeSpeechServer)


@pytest.fixture
def fake(speech_server: tuple[FakeSpeechServer, str]) -> FakeSpeechServer:
    return fresh(speech_server[0], KEY)


def breaker() -> CircuitBreaker:
    return CircuitBreaker("El servidor de voz", failure_threshold=2, reset_after_s=30.0, clock=Clock())


def make_stt(base: str, http: httpx.AsyncClient, *, key: str | None = KEY, timeout_s: float = 5.0,
             sleep: Sleeps | None = None) -> OpenAICompatibleSpeechToText:
    extra = {"sleep": sleep} if sleep is not None else {}
    return OpenAICompatibleSpeechToText(f"{base}/v1/", key, STT_MODEL, http=http, timeout_s=timeout_s,
                                        breaker=breaker(), **extra)


def make_tts(base: str, http: httpx.AsyncClient, *, key: str | None = KEY, timeout_s: float = 5.0,
             sleep: Sleeps | None = None) -> OpenAICompatibleTextToSpeech:
    extra = {"sleep": sleep} if sleep is not None else {}
    return OpenAICompatibleTextToSpeech(f"{base}/v1", key, TTS_MODEL, voices_by_language=VOICES, http=http,
                                        timeout_s=timeout_s, breaker=breaker(), **extra)


@pytest.fixture
def stt(speech_server: tuple[FakeSpeechServer, str], http: httpx.AsyncClient,
        sleeps: Sleeps) -> OpenAICompatibleSpeechToText:
    return make_stt(speech_server[1], http, sleep=sleeps)


@pytest.fixture
def tts(speech_server: tuple[FakeSpeechServer, str], http: httpx.AsyncClient,
        sleeps: Sleeps) -> OpenAICompatibleTextToSpeech:
    return make_tts(speech_server[1], http, sleep=sleeps)


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


def encoded(container: str, codec: str, rate: int) -> bytes:
    """Half a second of a tone encoded with PyAV, as a browser or phone would send it."""
    samples = (0.1 * np.sin(2 * np.pi * 440.0 * np.arange(rate // 2) / rate)).astype(np.float32)
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        context = stream.codec_context
        resampler = AudioResampler(format=context.format.name, layout="mono", rate=rate,
                                   frame_size=context.frame_size or None)
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="flt", layout="mono")
        frame.sample_rate = rate
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))
    return buffer.getvalue()


# ---- speech to text ----


async def test_a_note_goes_as_multipart_with_the_model_the_language_and_json_format(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText,
) -> None:
    heard = await stt.transcribe(AudioClip(NOTE, "wav"), language=SpeechLanguage.ES)

    assert (heard.text, heard.language) == (TRANSCRIPT, "es")
    assert heard.duration_s == pytest.approx(wav_seconds(NOTE), abs=0.01)
    request = fake.requests[-1]
    assert request.path == TRANSCRIPTIONS
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    form = fake.forms[-1]
    assert {name: value for name, value in form.items() if name != "file"} == {
        "model": STT_MODEL, "language": "es", "response_format": "json"}
    assert form["file"] == ("note.wav", "audio/wav", NOTE)
    assert stt.model == STT_MODEL


async def test_english_is_asked_as_english(fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText) -> None:
    fake.script(TRANSCRIPTIONS, transcript("What is the weather like?"))

    heard = await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.EN)

    assert (heard.text, heard.language) == ("What is the weather like?", "en")
    assert fake.forms[-1]["language"] == "en"


@pytest.mark.parametrize("style", ["openai", "speaches"])
@pytest.mark.parametrize("detected", ["es", "en"])
async def test_auto_asks_for_verbose_json_without_a_language_and_reports_the_one_the_server_detected(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, style: Literal["openai", "speaches"], detected: str,
) -> None:
    fake.verbose_style, fake.detects = style, detected

    heard = await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)

    assert (heard.text, heard.language) == (TRANSCRIPT, detected)
    assert {name: value for name, value in fake.forms[-1].items() if name != "file"} == {
        "model": STT_MODEL, "response_format": "verbose_json"}
    assert fake.count(TRANSCRIPTIONS) == 1


@pytest.mark.parametrize(("answer", "language"), [
    (transcript(TRANSCRIPT), "und"), (transcript(TRANSCRIPT, language="es"), "es"),
    (verbose_transcript("Hello", "en", style="openai"), "en"), (transcript("Hola", language="Spanish"), "es"),
    (transcript("Hola", language="es-ES"), "es"), (verbose_transcript("Hola", None, style="vllm"), "und"),
    (verbose_transcript("Bonjour", "fr", style="openai"), "und"), (verbose_transcript("Bonjour", "fr"), "und"),
    (transcript("Hola", language=7), "und"),
], ids=["not said", "code", "openai's word", "capitalised word", "regional tag", "vllm's null", "french word",
        "french code", "not a string"])
async def test_auto_takes_the_language_the_answer_names_when_ova_speaks_it_else_und(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, answer: Reply, language: str,
) -> None:
    fake.script(TRANSCRIPTIONS, answer)

    heard = await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)

    assert "language" not in fake.forms[-1]
    assert heard.language == language


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
async def test_a_server_that_refuses_verbose_json_is_asked_again_in_json_and_the_language_is_und(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, refusal: str,
) -> None:
    fake.verbose_refusal = REFUSALS[refusal]

    heard = await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)

    assert (heard.text, heard.language) == (TRANSCRIPT, "und")
    assert [form["response_format"] for form in fake.forms] == ["verbose_json", "json"]
    assert all("language" not in form for form in fake.forms) and stt.breaker.state == "closed"


async def test_after_a_refusal_later_auto_notes_go_as_json_at_once(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText,
) -> None:
    fake.verbose_refusal = REFUSALS["openai"]
    await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)
    fake.script(TRANSCRIPTIONS, transcript("Hola", language="es"))

    heard = await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)

    assert heard.language == "es"
    assert [form["response_format"] for form in fake.forms] == ["verbose_json", "json", "json"]


async def test_the_refusal_is_remembered_for_that_server_only(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], http: httpx.AsyncClient,
    stt: OpenAICompatibleSpeechToText,
) -> None:
    fake.verbose_refusal = REFUSALS["vllm"]
    await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)
    fake.verbose_refusal = None

    heard = await make_stt(speech_server[1], http).transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)

    assert heard.language == "es" and fake.forms[-1]["response_format"] == "verbose_json"


async def test_a_refusal_that_does_not_name_the_format_is_an_error_and_verbose_json_is_kept(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText,
) -> None:
    fake.script(TRANSCRIPTIONS, Reply(status=400, body=b'{"error": {"message": "Audio file is too short"}}'),
                transcript("Hola", language="es"))

    with pytest.raises(ModelUnavailable, match="Audio file is too short"):
        await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)
    heard = await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)

    assert heard.language == "es"
    assert [form["response_format"] for form in fake.forms] == ["verbose_json", "verbose_json"]


async def test_server_errors_on_verbose_json_are_retried_in_verbose_json(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, sleeps: Sleeps,
) -> None:
    fake.script(TRANSCRIPTIONS, server_error(503), verbose_transcript("Hello", "en"))

    heard = await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.AUTO)

    assert (heard.text, heard.language) == ("Hello", "en") and len(sleeps.waits) == 1
    assert [form["response_format"] for form in fake.forms] == ["verbose_json", "verbose_json"]


@pytest.mark.parametrize(("container", "codec", "rate", "sent"), [
    ("ogg", "libopus", 48000, ("note.ogg", "audio/ogg")),
    ("webm", "libopus", 48000, ("note.webm", "audio/webm")),
    ("mp3", "libmp3lame", 24000, ("note.mp3", "audio/mpeg")),
    ("ipod", "aac", 24000, ("note.m4a", "audio/mp4")),
])
async def test_a_compressed_note_goes_as_received_named_for_its_format(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, container: str, codec: str, rate: int,
    sent: tuple[str, str],
) -> None:
    note = encoded(container, codec, rate)

    heard = await stt.transcribe(AudioClip(note), language=SpeechLanguage.ES)

    name, kind, data = fake.forms[-1]["file"]
    assert ((name, kind), data) == (sent, note)
    assert heard.duration_s == pytest.approx(0.5, abs=0.1)


async def test_a_note_in_a_format_without_magic_bytes_goes_as_wav(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText,
) -> None:
    note = encoded("adts", "aac", 24000)  # raw AAC: no container a name would tell

    heard = await stt.transcribe(AudioClip(note), language=SpeechLanguage.ES)

    name, kind, data = fake.forms[-1]["file"]
    assert (name, kind, data[:4]) == ("note.wav", "audio/wav", b"RIFF")
    assert wav_seconds(data) == pytest.approx(0.5, abs=0.1) and heard.duration_s == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize("data", [b"", b"this is not audio at all", b"RIFF\x00\x00\x00\x00WAVEjunk"],
                         ids=["empty", "text", "broken wav"])
async def test_what_is_not_audio_is_unreadable_and_never_sent(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, data: bytes,
) -> None:
    with pytest.raises(UnreadableMedia):
        await stt.transcribe(AudioClip(data), language=SpeechLanguage.ES)
    assert fake.requests == []


async def test_nothing_heard_is_an_empty_text_which_the_use_case_calls_no_speech(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText,
) -> None:
    fake.script(TRANSCRIPTIONS, transcript("  \n"))

    assert (await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)).text == ""
    with pytest.raises(NoSpeech, match="en español"):
        await TranscribeAudio(stt)(AudioClip(NOTE), "es")


async def test_a_transcription_server_past_the_deadline_gives_way_to_the_local_model(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], http: httpx.AsyncClient,
) -> None:
    fake.script(TRANSCRIPTIONS, hang(5.0))
    remote = make_stt(speech_server[1], http, timeout_s=0.3)
    local = FakeSpeechToText("hola desde el modelo local")
    with_local: SpeechToText = with_fallback(SpeechToText, remote, local)

    heard = await with_local.transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)

    assert (heard.text, heard.language) == ("hola desde el modelo local", "es") and local.asked == ["es"]
    with pytest.raises(ModelUnavailable, match=r"no respondió en 0\.3 s"):
        await remote.transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)


async def test_transcription_server_errors_are_retried_then_the_circuit_opens(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, sleeps: Sleeps,
) -> None:
    fake.script(TRANSCRIPTIONS, server_error(503))

    for _ in range(2):
        with pytest.raises(ModelUnavailable, match=r"no está disponible ahora \(503\)"):
            await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)
    assert fake.count(TRANSCRIPTIONS) == 6 and len(sleeps.waits) == 4
    assert stt.breaker.state == "open"

    with pytest.raises(ModelUnavailable, match="demasiados fallos seguidos"):
        await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)
    assert fake.count(TRANSCRIPTIONS) == 6


async def test_a_retried_error_then_a_transcript_is_a_success(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText,
) -> None:
    fake.script(TRANSCRIPTIONS, server_error(502), Reply(status=429, body=b"{}"), transcript("Hola."))

    assert (await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)).text == "Hola."
    assert fake.count(TRANSCRIPTIONS) == 3 and stt.breaker.state == "closed"


@pytest.mark.parametrize("reply", [malformed(), Reply(body=b'{"segments": []}'), transcript(42), Reply(body=b"[]")],
                         ids=["not json", "no text", "text not a string", "a list"])
async def test_an_answer_that_is_not_a_transcription_is_unavailable_and_not_repeated(
    fake: FakeSpeechServer, stt: OpenAICompatibleSpeechToText, reply: Reply,
) -> None:
    fake.script(TRANSCRIPTIONS, reply)

    with pytest.raises(ModelUnavailable, match="devolvió una respuesta que no se entiende"):
        await stt.transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)
    assert fake.count(TRANSCRIPTIONS) == 1


async def test_a_wrong_speech_key_is_a_configuration_error_not_retried(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], http: httpx.AsyncClient,
) -> None:
    with pytest.raises(ModelUnavailable, match="autenticación"):
        await make_stt(speech_server[1], http, key="sk-wrong").transcribe(AudioClip(NOTE), language=SpeechLanguage.ES)
    with pytest.raises(ModelUnavailable, match="autenticación"):
        await make_tts(speech_server[1], http, key=None).synthesize("Hola.")
    assert len(fake.requests) == 2 and "authorization" not in fake.requests[-1].headers


# ---- text to speech ----


async def test_speech_is_asked_as_json_with_the_language_s_voice_and_comes_back_as_the_server_s_wav(
    fake: FakeSpeechServer, tts: OpenAICompatibleTextToSpeech,
) -> None:
    speech = await tts.synthesize("Hola, ¿qué tal?", language="es")

    request = fake.requests[-1]
    assert request.path == SPEECH and request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert fake.payloads[-1] == {"model": TTS_MODEL, "input": "Hola, ¿qué tal?", "voice": "ef_dora",
                                 "response_format": "wav"}
    seconds = spoken_seconds("Hola, ¿qué tal?")
    assert (speech.sample_rate, speech.duration_s) == (RATE, seconds)
    with wave.open(io.BytesIO(speech.wav), "rb") as reader, wave.open(io.BytesIO(tone(seconds)), "rb") as sent:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, RATE)
        assert reader.readframes(reader.getnframes()) == sent.readframes(sent.getnframes())
    assert tts.model == TTS_MODEL and tts.voices == ("ef_dora", "af_heart")


async def test_english_is_spoken_with_the_english_voice_and_a_named_voice_wins(
    fake: FakeSpeechServer, tts: OpenAICompatibleTextToSpeech,
) -> None:
    await tts.synthesize("Hello.", language="en")
    await tts.synthesize("Hola.", voice="af_heart", language="es")

    assert [payload["voice"] for payload in fake.payloads] == ["af_heart", "af_heart"]


@pytest.mark.parametrize(("voice", "language", "field"), [("nova", "es", "voice"), (None, "fr", "lang")])
async def test_an_unknown_voice_or_language_is_invalid_and_never_sent(
    fake: FakeSpeechServer, tts: OpenAICompatibleTextToSpeech, voice: str | None, language: str, field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await tts.synthesize("Hola.", voice=voice, language=language)
    assert refused.value.field == field and fake.requests == []


@pytest.mark.parametrize("answer", [streamed(tone(0.25)), tone(0.25, channels=2)], ids=["streamed", "stereo"])
async def test_a_streamed_or_stereo_wav_becomes_a_16_bit_mono_wav(
    fake: FakeSpeechServer, tts: OpenAICompatibleTextToSpeech, answer: bytes,
) -> None:
    fake.script(SPEECH, wav(answer))

    speech = await tts.synthesize("Hola.")

    with wave.open(io.BytesIO(speech.wav), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, RATE)
    assert speech.duration_s == pytest.approx(0.25, abs=0.01)


@pytest.mark.parametrize("reply", [
    Reply(body=b'{"audio": "UklGRg=="}'), Reply(body=b"ID3\x03\x00\x00\x00\x00\x00\x00", content_type="audio/mpeg"),
    wav(tone(0.0)), wav(b"RIFF\x00\x00\x00\x00WAVEnot a wav"), Reply(body=b"", content_type="audio/wav"),
], ids=["json", "mp3", "wav without frames", "broken wav", "empty"])
async def test_an_answer_that_is_not_a_wav_with_sound_is_unavailable_and_not_repeated(
    fake: FakeSpeechServer, tts: OpenAICompatibleTextToSpeech, reply: Reply,
) -> None:
    fake.script(SPEECH, reply)

    with pytest.raises(ModelUnavailable, match="devolvió una respuesta que no se entiende"):
        await tts.synthesize("Hola.")
    assert fake.count(SPEECH) == 1


async def test_a_speech_server_past_the_deadline_gives_way_to_the_local_voice(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], http: httpx.AsyncClient,
) -> None:
    fake.script(SPEECH, hang(5.0))
    remote = make_tts(speech_server[1], http, timeout_s=0.3)
    local = FakeTextToSpeech()
    with_local: TextToSpeech = with_fallback(TextToSpeech, remote, local, local_arguments=default_voice_when_unknown)

    speech = await with_local.synthesize("Hola.", voice="ef_dora", language="es")

    assert speech.sample_rate == FakeTextToSpeech.sample_rate and local.texts == ["Hola."]
    with pytest.raises(ModelUnavailable, match=r"no respondió en 0\.3 s"):
        await remote.synthesize("Hola.")


async def test_speech_server_errors_are_retried_then_the_circuit_opens(
    fake: FakeSpeechServer, tts: OpenAICompatibleTextToSpeech, sleeps: Sleeps,
) -> None:
    fake.script(SPEECH, server_error(500))

    for _ in range(2):
        with pytest.raises(ModelUnavailable, match=r"no está disponible ahora \(500\)"):
            await tts.synthesize("Hola.")
    assert fake.count(SPEECH) == 6 and len(sleeps.waits) == 4 and tts.breaker.state == "open"

    with pytest.raises(ModelUnavailable, match="demasiados fallos seguidos"):
        await tts.synthesize("Hola.")
    assert fake.count(SPEECH) == 6


# ---- what a client of the HTTP API sees ----


async def call(tmp_path: Path, base: str, method: str, path: str, environ: dict[str, str] | None = None,
               **request: object) -> httpx.Response:
    settings = load_settings({
        "SQLITE_PATH": str(tmp_path / "s.db"), "STT_PROVIDER": "openai-compatible", "TTS_PROVIDER": "openai-compatible",
        "SPEECH_API_URL": f"{base}/v1", "SPEECH_API_KEY": KEY, "TTS_REMOTE_VOICE_ES": "em_alex", "AI_TIMEOUT_S": "2",
        "AI_WARM_UP": "false", **(environ or {}),
    }, env_file=tmp_path / "none")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **request)  # type: ignore[arg-type]
    finally:
        await app.state.container.ai().http().aclose()


async def test_the_transcription_route_hears_with_the_speech_server(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], tmp_path: Path,
) -> None:
    response = await call(tmp_path, speech_server[1], "POST", "/audio/transcribir?lang=es",
                          files={"file": ("nota.wav", NOTE, "audio/wav")})

    assert response.status_code == 200, response.text
    assert response.json()["text"] == TRANSCRIPT and response.json()["language"] == "es"
    assert fake.forms[-1]["model"] == STT_MODEL and fake.forms[-1]["file"][2] == NOTE


async def test_the_synthesis_route_speaks_with_the_speech_server_and_the_configured_voice(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], tmp_path: Path,
) -> None:
    response = await call(tmp_path, speech_server[1], "POST", "/audio/sintetizar", json={"text": "Hola.", "lang": "es"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav" and response.content[:4] == b"RIFF"
    assert fake.payloads[-1]["voice"] == "em_alex" and fake.payloads[-1]["model"] == TTS_MODEL


@pytest.mark.parametrize(("path", "request_", "reply"), [
    (TRANSCRIPTIONS, {"files": {"file": ("nota.wav", NOTE, "audio/wav")}}, malformed()),
    (SPEECH, {"json": {"text": "Hola."}}, wav(b"RIFF\x00\x00\x00\x00WAVEnot a wav")),
], ids=["transcription", "speech"])
async def test_a_speech_server_that_answers_nonsense_is_a_json_503_never_a_traceback(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], tmp_path: Path, path: str,
    request_: dict[str, object], reply: Reply,
) -> None:
    fake.script(path, reply)
    route = "/audio/transcribir" if path == TRANSCRIPTIONS else "/audio/sintetizar"

    response = await call(tmp_path, speech_server[1], "POST", route, **request_)

    assert response.status_code == 503
    assert response.json()["code"] == "model_unavailable" and "Retry-After" in response.headers
    assert "Traceback" not in response.text and "RemoteCallError" not in response.text


async def test_with_the_local_fallback_a_failing_speech_server_still_speaks_with_the_local_voice(
    fake: FakeSpeechServer, speech_server: tuple[FakeSpeechServer, str], tmp_path: Path,
) -> None:
    fake.script(SPEECH, Reply(body=b'{"error": null}'))

    response = await call(tmp_path, speech_server[1], "POST", "/audio/sintetizar",
                          {"AI_FALLBACK_LOCAL": "true", "TTS_LOCAL_VOICE": "espeak"},
                          json={"text": "Hola.", "voice": "em_alex"})

    assert response.status_code == 200, response.text
    assert response.content[:4] == b"RIFF" and fake.count(SPEECH) == 1
    with wave.open(io.BytesIO(response.content), "rb") as reader:
        assert reader.getframerate() != RATE  # espeak-ng's 22 kHz, not the server's tone

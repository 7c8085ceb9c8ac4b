"""The Hugging Face adapters against a local server that speaks the real wire formats."""

from __future__ import annotations

import asyncio
import functools
import io
import json
import time
import wave
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import av
import httpx
import numpy as np
import pytest
from PIL import Image

from ova.adapters.ai.fallback import Fallback, with_fallback
from ova.adapters.ai.huggingface import (
    GradioSignRecognizer,
    HfImageCaptioner,
    HfObjectDetector,
    HfSpeechToText,
    HfTextToSpeech,
    HuggingFaceClient,
)
from ova.adapters.ai.resilience import CircuitBreaker
from ova.application.ports.vision import ObjectDetector
from ova.domain.errors import ModelUnavailable, UnreadableMedia
from ova.domain.speech import AudioClip, SpeechLanguage
from ova.domain.vision import Box, DetectedObject, LabelScore, RgbImage
from tests.fakes.hf_server import (
    CALL,
    PASS,
    UPLOAD,
    FakeHuggingFace,
    Reply,
    audio,
    hang,
    loading,
    malformed,
    ok,
    server_error,
    sleeping_space,
)
from tests.fakes.resilience import Clock, Sleeps
from tests.fakes.served import fresh, served

KEY = "hf_test_key"
DETR, BLIP = "facebook/detr-resnet-50", "Salesforce/blip-image-captioning-base"
WHISPER, MMS = "openai/whisper-large-v3", "facebook/mms-tts-eng"
IMAGE = RgbImage(200, 100, bytes([120, 60, 30]) * 200 * 100)
DETECTIONS = [
    {"label": "dog", "score": 0.51, "box": {"xmin": 10, "ymin": 20, "xmax": 60, "ymax": 90}},
    {"label": "cat", "score": 0.98, "box": {"xmin": -5, "ymin": 50, "xmax": 250, "ymax": 130}},
    {"label": "cup", "score": 0.1, "box": {"xmin": 1, "ymin": 1, "xmax": 5, "ymax": 5}},
]


def wav_bytes(seconds: float = 0.5, rate: int = 16000, channels: int = 1) -> bytes:
    samples = (np.sin(np.arange(int(seconds * rate)) / 8) * 8000).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(samples, channels).tobytes())
    return buffer.getvalue()


def flac_bytes(seconds: float = 0.25, rate: int = 22050) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=rate, layout="stereo")
        samples = (np.sin(np.arange(int(seconds * rate)) / 5) * 9000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(np.repeat(samples, 2).reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return buffer.getvalue()


server = served(FakeHuggingFace)


@pytest.fixture
def fake(server: tuple[FakeHuggingFace, str]) -> FakeHuggingFace:
    return fresh(server[0], KEY)


def make_client(base: str, http: httpx.AsyncClient, clock: Clock, sleep: Any, *, timeout_s: float = 5.0,
                key: str | None = KEY) -> HuggingFaceClient:
    breakers = functools.partial(CircuitBreaker, failure_threshold=2, reset_after_s=30, clock=clock)
    return HuggingFaceClient(f"{base}/models", key, http=http, timeout_s=timeout_s, breaker_factory=breakers,
                             sleep=sleep)


@pytest.fixture
def hf(server: tuple[FakeHuggingFace, str], http: httpx.AsyncClient, clock: Clock, sleeps: Sleeps) -> HuggingFaceClient:
    return make_client(server[1], http, clock, sleeps)


def space(client: HuggingFaceClient) -> GradioSignRecognizer:
    return GradioSignRecognizer(client, space_url=client.base_url.removesuffix("/models"), model_name="ASL_model_1")


@attrs.frozen
class Case:
    name: str
    path: str
    good: Reply
    build: Callable[[HuggingFaceClient], Any]
    invoke: Callable[[Any], Awaitable[Any]]


CASES = [
    Case("detection", f"/models/{DETR}", ok(DETECTIONS), lambda c: HfObjectDetector(c, DETR),
         lambda a: a.detect(IMAGE, min_confidence=0.35)),
    Case("captioning", f"/models/{BLIP}", ok([{"generated_text": "a dog"}]), lambda c: HfImageCaptioner(c, BLIP),
         lambda a: a.describe(IMAGE, [], lang="en")),
    Case("speech-to-text", f"/models/{WHISPER}", ok({"text": "hola"}), lambda c: HfSpeechToText(c, WHISPER),
         lambda a: a.transcribe(AudioClip(wav_bytes()), language=SpeechLanguage.ES)),
    Case("text-to-speech", f"/models/{MMS}", audio(flac_bytes()), lambda c: HfTextToSpeech(c, MMS),
         lambda a: a.synthesize("hola")),
    Case("sign-space", UPLOAD, PASS, space, lambda a: a.recognize(IMAGE)),
]
each_adapter = pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])


@each_adapter
async def test_model_loading_is_retried_after_its_estimated_time(case: Case, fake: FakeHuggingFace,
                                                                 hf: HuggingFaceClient, sleeps: Sleeps) -> None:
    fake.script(case.path, loading(0.25), case.good)
    assert await case.invoke(case.build(hf))
    assert fake.count(case.path) == 2
    assert sleeps.waits == [0.25]


@each_adapter
async def test_server_errors_are_retried_then_unavailable(case: Case, fake: FakeHuggingFace,
                                                          hf: HuggingFaceClient) -> None:
    fake.script(case.path, server_error(502))
    with pytest.raises(ModelUnavailable) as caught:
        await case.invoke(case.build(hf))
    assert fake.count(case.path) == 3
    assert "502" in caught.value.detail


@each_adapter
async def test_a_hang_becomes_unavailable_within_the_timeout(case: Case, fake: FakeHuggingFace,
                                                             server: tuple[FakeHuggingFace, str],
                                                             http: httpx.AsyncClient, clock: Clock) -> None:
    fake.script(case.path, hang(5))
    adapter = case.build(make_client(server[1], http, clock, asyncio.sleep, timeout_s=0.3))
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as caught:
        await case.invoke(adapter)
    assert time.monotonic() - started < 0.9
    assert fake.count(case.path) == 1  # the hang used the whole deadline: no second attempt
    assert "0.3 s" in caught.value.detail


@each_adapter
async def test_a_malformed_body_is_unavailable_without_retry(case: Case, fake: FakeHuggingFace,
                                                             hf: HuggingFaceClient) -> None:
    fake.script(case.path, malformed())
    with pytest.raises(ModelUnavailable) as caught:
        await case.invoke(case.build(hf))
    assert fake.count(case.path) == 1
    assert "no se entiende" in caught.value.detail


@each_adapter
async def test_a_rejected_key_names_hf_api_key(case: Case, fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.api_key = "another-key"
    fake.script(case.path, case.good)
    with pytest.raises(ModelUnavailable) as caught:
        await case.invoke(case.build(hf))
    assert "HF_API_KEY" in caught.value.detail
    assert len(fake.requests) == 1  # not retried


@each_adapter
async def test_the_breaker_opens_fails_fast_and_recovers(case: Case, fake: FakeHuggingFace, hf: HuggingFaceClient,
                                                         clock: Clock) -> None:
    adapter = case.build(hf)
    fake.script(case.path, server_error())
    for _ in range(2):
        with pytest.raises(ModelUnavailable):
            await case.invoke(adapter)
    assert adapter.breaker.state == "open"
    seen = len(fake.requests)
    with pytest.raises(ModelUnavailable) as caught:
        await case.invoke(adapter)
    assert len(fake.requests) == seen  # refused without reaching the server
    assert caught.value.retry_after_s == 30

    clock.now += 30
    assert adapter.breaker.state == "half_open"
    fake.script(case.path, case.good)
    assert await case.invoke(adapter)
    assert adapter.breaker.state == "closed"
    assert fake.count(case.path) == seen + 1  # the one probe


async def test_detection_parses_converts_clips_filters_and_sorts(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.script(f"/models/{DETR}", ok(DETECTIONS))
    found = await HfObjectDetector(hf, DETR).detect(IMAGE, min_confidence=0.35)
    assert found == [
        DetectedObject("cat", 0.98, Box(0, 50, 200, 50)),
        DetectedObject("dog", 0.51, Box(10, 20, 50, 70)),
    ]
    sent = fake.last(f"/models/{DETR}")
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["content-type"] == "image/jpeg"
    assert sent.headers["user-agent"].startswith("ova")
    assert Image.open(io.BytesIO(sent.body)).size == (200, 100)


async def test_detection_boxes_map_back_from_a_shrunk_upload(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    big = RgbImage(2666, 100, bytes(2666 * 100 * 3))
    fake.script(f"/models/{DETR}", ok([{"label": "car", "score": 0.9, "box": {"xmin": 100, "ymin": 10,
                                                                              "xmax": 200, "ymax": 40}}]))
    [car] = await HfObjectDetector(hf, DETR).detect(big, min_confidence=0.5)
    assert Image.open(io.BytesIO(fake.last(f"/models/{DETR}").body)).size == (1333, 50)
    assert car.box == Box(200, 20, 200, 60)


async def test_no_key_sends_no_authorization(fake: FakeHuggingFace, server: tuple[FakeHuggingFace, str],
                                             http: httpx.AsyncClient, clock: Clock, sleeps: Sleeps) -> None:
    fake.api_key = None
    fake.script(f"/models/{BLIP}", ok({"generated_text": "a cat on a mat"}))
    client = make_client(server[1], http, clock, sleeps, key=None)
    assert await HfImageCaptioner(client, BLIP).describe(IMAGE, [], lang="en") == "A cat on a mat."
    assert "authorization" not in fake.last(f"/models/{BLIP}").headers


async def test_captions_stay_in_english_when_spanish_is_asked(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.script(f"/models/{BLIP}", ok([{"generated_text": "a dog sitting on a couch"}]))
    assert await HfImageCaptioner(hf, BLIP).describe(IMAGE, [], lang="es") == "A dog sitting on a couch."


async def test_speech_to_text_sends_the_audio_type_and_measures_the_clip(fake: FakeHuggingFace,
                                                                         hf: HuggingFaceClient) -> None:
    fake.script(f"/models/{WHISPER}", ok({"text": " Hola, ¿qué tal? "}))
    transcript = await HfSpeechToText(hf, WHISPER).transcribe(AudioClip(wav_bytes(seconds=0.5), "webm"),
                                                              language=SpeechLanguage.ES)
    assert (transcript.text, transcript.language, transcript.duration_s) == ("Hola, ¿qué tal?", "und", 0.5)
    sent = fake.last(f"/models/{WHISPER}")
    assert sent.headers["content-type"] == "audio/wav"
    assert sent.body == wav_bytes(seconds=0.5)


async def test_speech_to_text_rejects_non_audio_before_calling(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    with pytest.raises(UnreadableMedia):
        await HfSpeechToText(hf, WHISPER).transcribe(AudioClip(b"definitely not audio" * 50),
                                                     language=SpeechLanguage.ES)
    assert fake.requests == []


@pytest.mark.parametrize("answer", [audio(flac_bytes(seconds=0.25)), audio(wav_bytes(0.25, 22050, 2), "audio/wav")])
async def test_text_to_speech_answers_16_bit_mono_wav(answer: Reply, fake: FakeHuggingFace,
                                                      hf: HuggingFaceClient) -> None:
    fake.script(f"/models/{MMS}", answer)
    speech = await HfTextToSpeech(hf, MMS).synthesize("hola")
    with wave.open(io.BytesIO(speech.wav)) as spoken:
        assert (spoken.getnchannels(), spoken.getsampwidth(), spoken.getframerate()) == (1, 2, 22050)
        assert spoken.getnframes() == round(0.25 * 22050)
    assert (speech.sample_rate, speech.duration_s) == (22050, 0.25)
    assert json.loads(fake.last(f"/models/{MMS}").body) == {"inputs": "hola"}


async def test_sign_space_reads_the_list_answer(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.space_outputs = ["b", 0.87, [["b", 0.87], ["v", 0.08], ["nothing", 0.03], ["k", 0.02]]]
    prediction = await space(hf).recognize(IMAGE)
    assert (prediction.letter, prediction.confidence, prediction.hand_detected) == ("B", 0.87, True)
    assert prediction.alternatives == (LabelScore("V", 0.08), LabelScore("K", 0.02))
    upload, call = fake.last(UPLOAD), fake.last(CALL)
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="files"' in upload.body
    path = json.loads(call.body)["data"][0]["path"]
    assert json.loads(call.body) == {"data": [{"path": path, "meta": {"_type": "gradio.FileData"}}]}
    assert path.startswith("/tmp/gradio/")
    assert [r.headers["authorization"] for r in fake.requests] == [f"Bearer {KEY}"] * 3


async def test_sign_space_reads_a_gradio_label_in_percent(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.space_outputs = [{"label": "Y", "confidences": [
        {"label": "Y", "confidence": 91.0}, {"label": "space", "confidence": 5.0}, {"label": "I", "confidence": 4.0}]}]
    prediction = await space(hf).recognize(IMAGE)
    assert (prediction.letter, prediction.confidence, prediction.alternatives) == ("Y", 0.91, (LabelScore("I", 0.04),))


@pytest.mark.parametrize("label", ["nothing", "del", "space"])
async def test_sign_space_non_letters_mean_no_hand(label: str, fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.space_outputs = [{"label": label, "confidences": [{"label": label, "confidence": 0.7}]}]
    prediction = await space(hf).recognize(IMAGE)
    assert (prediction.letter, prediction.confidence, prediction.hand_detected) == (None, 0.7, False)


async def test_sign_space_error_event_is_unavailable(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.space_error = "ValueError: cannot identify image"
    recognizer = space(hf)
    with pytest.raises(ModelUnavailable) as caught:
        await recognizer.recognize(IMAGE)
    assert "cannot identify image" in caught.value.detail
    assert fake.count(CALL) == 1  # not retried


async def test_a_sleeping_space_is_retried_until_awake(fake: FakeHuggingFace, hf: HuggingFaceClient,
                                                        sleeps: Sleeps) -> None:
    fake.script(UPLOAD, sleeping_space(), PASS)
    recognizer = space(hf)
    assert (await recognizer.recognize(IMAGE)).letter == "A"
    assert fake.count(UPLOAD) == 2
    assert len(sleeps.waits) == 1
    assert recognizer.info.labels[-3:] == ("nothing", "del", "space")
    assert len(recognizer.info.labels) == 29


class LocalDetector:
    model = "local-detector"

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        return [DetectedObject("local", 0.5, Box(0, 0, 1, 1))]


async def test_fallback_answers_locally_when_the_remote_is_down(fake: FakeHuggingFace, hf: HuggingFaceClient) -> None:
    fake.script(f"/models/{DETR}", server_error(503))
    remote = HfObjectDetector(hf, DETR)
    local: ObjectDetector = LocalDetector()
    detector = with_fallback(ObjectDetector, remote, local)
    assert isinstance(detector, Fallback)
    assert (await detector.detect(IMAGE, min_confidence=0.3))[0].label == "local"
    assert detector.breaker is remote.breaker
    assert detector.model == DETR
    fake.script(f"/models/{DETR}", ok(DETECTIONS))
    assert (await detector.detect(IMAGE, min_confidence=0.3))[0].label == "cat"

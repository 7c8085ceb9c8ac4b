"""The remote vision adapters against local servers that speak the real wire formats: descriptions and
text reading by an OpenAI-compatible vision chat model, and text reading by a Hugging Face
image-to-text model; their deadline, retries, circuit breaker and fallback to the local model."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.adapters.ai.fakes.vision import FakeImageCaptioner
from ova.adapters.ai.fallback import with_fallback
from ova.adapters.ai.huggingface import HfTextReader, HuggingFaceClient
from ova.adapters.ai.openai_captioning import INSTRUCTIONS as DESCRIBE
from ova.adapters.ai.openai_captioning import OpenAICompatibleCaptioner
from ova.adapters.ai.openai_ocr import CONFIDENCE, OpenAICompatibleTextReader
from ova.adapters.ai.openai_ocr import INSTRUCTIONS as TRANSCRIBE
from ova.adapters.ai.openai_vision import OpenAICompatibleVision
from ova.adapters.ai.resilience import CircuitBreaker
from ova.application.ports.vision import ImageCaptioner, TextReader
from ova.config import load_settings
from ova.domain.errors import ModelUnavailable
from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import Box, RgbImage
from ova.entrypoints.app import create_app
from tests.fakes.hf_server import FakeHuggingFace, Reply, hang, loading, malformed, ok, server_error
from tests.fakes.resilience import Clock, Sleeps
from tests.fakes.served import fresh, served
from tests.fakes.vision_server import ANSWER, FakeVisionServer, text

KEY = "sk-vision"
MODEL = "Qwen/Qwen2.5-VL-3B-Instruct"
TROCR = "microsoft/trocr-base-printed"
PHOTO = RgbImage(320, 200, bytes([200, 30, 30]) * 320 * 100 + bytes([20, 20, 200]) * 320 * 100)  # red, then blue


vision_server = served(FakeVisionServer)
hf_server = served(FakeHuggingFace)


@pytest.fixture
def fake(vision_server: tuple[FakeVisionServer, str]) -> FakeVisionServer:
    return fresh(vision_server[0], KEY)


@pytest.fixture
def hf_fake(hf_server: tuple[FakeHuggingFace, str]) -> FakeHuggingFace:
    return fresh(hf_server[0])


@pytest.fixture
def vision(vision_server: tuple[FakeVisionServer, str], http: httpx.AsyncClient,
           sleeps: Sleeps) -> OpenAICompatibleVision:
    return make_vision(vision_server[1], http, sleep=sleeps)


def make_vision(base: str, http: httpx.AsyncClient, *, key: str | None = KEY, timeout_s: float = 5.0,
                sleep: Sleeps | None = None, clock: Clock | None = None) -> OpenAICompatibleVision:
    breaker = CircuitBreaker("El servidor de visión", failure_threshold=2, reset_after_s=30.0, clock=clock or Clock())
    extra = {"sleep": sleep} if sleep is not None else {}
    return OpenAICompatibleVision(f"{base}/v1/", key, MODEL, http=http, timeout_s=timeout_s, breaker=breaker, **extra)


def photo(width: int, height: int) -> RgbImage:
    picture = Image.linear_gradient("L").convert("RGB").resize((width, height))
    return RgbImage(width, height, picture.tobytes())


def image_url(payload: dict[str, object]) -> str:
    parts = payload["messages"][-1]["content"]  # type: ignore[index]
    return next(part["image_url"]["url"] for part in parts if part["type"] == "image_url")  # type: ignore[no-any-return]


# ---- descriptions by a vision chat model ----


async def test_the_photo_goes_as_a_jpeg_data_url_after_the_spanish_prompt(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    description = await OpenAICompatibleCaptioner(vision).describe(PHOTO, [], lang="es")

    assert description == ANSWER
    request = fake.requests[-1]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    payload = fake.payload()
    assert (payload["model"], payload["stream"]) == (MODEL, False)
    system, user = payload["messages"]
    assert system == {"role": "system", "content": DESCRIBE["es"]}
    assert "ciega" in system["content"] and "español" in system["content"]
    assert user["role"] == "user"
    assert [part["type"] for part in user["content"]] == ["text", "image_url"]
    assert image_url(payload).startswith("data:image/jpeg;base64,")
    sent = fake.images[-1]
    assert (sent.format, sent.size) == ("JPEG", (320, 200))
    assert sent.getpixel((160, 50))[0] > 150 and sent.getpixel((160, 150))[2] > 150  # red above, blue below


async def test_an_english_request_gets_the_english_prompt(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    fake.script(text("A red bus is ahead of you."))

    assert await OpenAICompatibleCaptioner(vision).describe(PHOTO, [], lang="en") == "A red bus is ahead of you."
    assert fake.payload()["messages"][0]["content"] == DESCRIBE["en"]
    assert "blind" in DESCRIBE["en"] and "English" in DESCRIBE["en"]


async def test_a_large_photo_is_shrunk_to_1024_pixels_on_its_longest_side_and_a_small_one_is_not_enlarged(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    captioner = OpenAICompatibleCaptioner(vision)
    await captioner.describe(photo(3000, 1500), [], lang="es")
    await captioner.describe(photo(1200, 2400), [], lang="es")
    await captioner.describe(photo(300, 200), [], lang="es")

    assert [image.size for image in fake.images] == [(1024, 512), (512, 1024), (300, 200)]
    assert all(len(request.body) < 300_000 for request in fake.requests)


async def test_the_description_is_plain_text_to_be_read_aloud(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    fake.script(text("**Una parada de autobús.**\n\n- Un cartel dice «Línea 5».\n- `Cuidado` con el bordillo."))

    description = await OpenAICompatibleCaptioner(vision).describe(PHOTO, [], lang="es")

    assert description == "Una parada de autobús. Un cartel dice «Línea 5». Cuidado con el bordillo."


async def test_an_empty_description_is_unavailable_so_the_local_one_answers(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    fake.script(text("  \n"))
    captioner = OpenAICompatibleCaptioner(vision)

    with pytest.raises(ModelUnavailable):
        await captioner.describe(PHOTO, [], lang="es")
    local = FakeImageCaptioner()
    with_local: ImageCaptioner = with_fallback(ImageCaptioner, captioner, local)
    assert await with_local.describe(PHOTO, [], lang="es") == await local.describe(PHOTO, [], lang="es")


async def test_a_server_past_the_deadline_gives_way_to_the_local_description(
    fake: FakeVisionServer, vision_server: tuple[FakeVisionServer, str], http: httpx.AsyncClient,
) -> None:
    fake.script(hang(5.0))
    captioner = OpenAICompatibleCaptioner(make_vision(vision_server[1], http, timeout_s=0.3))
    local = FakeImageCaptioner()
    with_local: ImageCaptioner = with_fallback(ImageCaptioner, captioner, local)

    description = await with_local.describe(PHOTO, [], lang="es")

    assert description == await local.describe(PHOTO, [], lang="es")
    with pytest.raises(ModelUnavailable, match=r"no respondió en 0\.3 s"):
        await captioner.describe(PHOTO, [], lang="es")


async def test_server_errors_are_retried_then_the_circuit_opens_and_no_request_goes_out(
    fake: FakeVisionServer, vision: OpenAICompatibleVision, sleeps: Sleeps,
) -> None:
    fake.script(server_error(503))
    captioner = OpenAICompatibleCaptioner(vision)

    for _ in range(2):
        with pytest.raises(ModelUnavailable, match=r"no está disponible ahora \(503\)"):
            await captioner.describe(PHOTO, [], lang="es")
    assert len(fake.requests) == 6 and len(sleeps.waits) == 4
    assert captioner.breaker.state == "open"

    with pytest.raises(ModelUnavailable, match="demasiados fallos seguidos") as refused:
        await captioner.describe(PHOTO, [], lang="es")
    assert len(fake.requests) == 6 and refused.value.retry_after_s == 30


async def test_a_retried_error_then_an_answer_is_a_success(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    fake.script(server_error(500), Reply(status=429, body=b"{}"), text("Una puerta."))

    assert await OpenAICompatibleCaptioner(vision).describe(PHOTO, [], lang="es") == "Una puerta."
    assert len(fake.requests) == 3 and vision.breaker.state == "closed"


@pytest.mark.parametrize("reply", [
    malformed(), Reply(body=b'{"choices": []}'), Reply(body=b'{"choices": [{"message": {"content": 42}}]}'),
], ids=["not json", "no choices", "content not text"])
async def test_an_answer_that_is_not_a_chat_completion_is_unavailable_and_not_repeated(
    fake: FakeVisionServer, vision: OpenAICompatibleVision, reply: Reply,
) -> None:
    fake.script(reply)

    with pytest.raises(ModelUnavailable, match="devolvió una respuesta que no se entiende"):
        await OpenAICompatibleCaptioner(vision).describe(PHOTO, [], lang="es")
    assert len(fake.requests) == 1


async def test_a_wrong_key_is_a_configuration_error_not_retried(
    fake: FakeVisionServer, vision_server: tuple[FakeVisionServer, str], http: httpx.AsyncClient,
) -> None:
    captioner = OpenAICompatibleCaptioner(make_vision(vision_server[1], http, key="sk-wrong"))

    with pytest.raises(ModelUnavailable, match="autenticación"):
        await captioner.describe(PHOTO, [], lang="es")
    assert len(fake.requests) == 1


async def test_nothing_listening_is_unavailable(http: httpx.AsyncClient, sleeps: Sleeps) -> None:
    captioner = OpenAICompatibleCaptioner(make_vision("http://127.0.0.1:9", http, timeout_s=1.0, sleep=sleeps))

    with pytest.raises(ModelUnavailable, match="No se pudo conectar"):
        await captioner.describe(PHOTO, [], lang="es")


# ---- text reading by a vision chat model ----


async def test_the_reader_asks_for_an_exact_transcription_and_gives_one_line_per_line(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    fake.script(text("PROHIBIDO EL PASO\n\n  Propiedad   privada "))

    read = await OpenAICompatibleTextReader(vision).read(PHOTO, lang="es")

    whole = Box(0, 0, PHOTO.width, PHOTO.height)
    assert read == ReadText((TextLine("PROHIBIDO EL PASO", CONFIDENCE, whole),
                             TextLine("Propiedad privada", CONFIDENCE, whole)))
    assert read.text == "PROHIBIDO EL PASO\nPropiedad privada"
    system = fake.payload()["messages"][0]["content"]
    assert system == TRANSCRIBE["es"] and "Transcribe exactamente" in system
    assert fake.images[-1].format == "JPEG"


async def test_the_reader_asks_in_english_for_english(fake: FakeVisionServer, vision: OpenAICompatibleVision) -> None:
    fake.script(text("NO ENTRY"))

    assert (await OpenAICompatibleTextReader(vision).read(PHOTO, lang="en")).text == "NO ENTRY"
    assert fake.payload()["messages"][0]["content"] == TRANSCRIBE["en"]


@pytest.mark.parametrize("answer", [
    "", None, "No hay texto.", "No hay texto visible en la imagen.", "There is no text in the image.", "```\n```",
])
async def test_a_photo_without_text_gives_no_lines(
    fake: FakeVisionServer, vision: OpenAICompatibleVision, answer: str | None,
) -> None:
    fake.script(text(answer))

    assert await OpenAICompatibleTextReader(vision).read(PHOTO, lang="es") == ReadText()


async def test_fences_and_quotes_around_the_transcription_are_not_text(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    fake.script(text('```text\n"Farmacia\nAbierto 24 h"\n```'))

    assert (await OpenAICompatibleTextReader(vision).read(PHOTO, lang="es")).text == "Farmacia\nAbierto 24 h"


async def test_the_reader_falls_back_to_the_local_reader_when_the_server_fails(
    fake: FakeVisionServer, vision: OpenAICompatibleVision,
) -> None:
    fake.script(server_error(500))
    local = FakeTextReader()
    reader: TextReader = with_fallback(TextReader, OpenAICompatibleTextReader(vision), local)

    assert (await reader.read(PHOTO, lang="es")).text == "PROHIBIDO EL PASO"
    assert local.calls == ["es"]


# ---- text reading by a Hugging Face image-to-text model ----


@pytest.fixture
def hf_client(hf_server: tuple[FakeHuggingFace, str], http: httpx.AsyncClient, sleeps: Sleeps) -> HuggingFaceClient:
    breakers = functools.partial(CircuitBreaker, failure_threshold=2, reset_after_s=30, clock=Clock())
    return HuggingFaceClient(f"{hf_server[1]}/models", "hf_key", http=http, timeout_s=5.0, breaker_factory=breakers,
                             sleep=sleeps)


async def test_hugging_face_reads_the_jpeg_it_is_sent_into_lines(
    hf_fake: FakeHuggingFace, hf_client: HuggingFaceClient,
) -> None:
    hf_fake.script(f"/models/{TROCR}", ok([{"generated_text": "FARMACIA  DE GUARDIA"}]))
    reader = HfTextReader(hf_client, TROCR)

    read = await reader.read(photo(2000, 500), lang="es")

    assert read == ReadText((TextLine("FARMACIA DE GUARDIA", CONFIDENCE, Box(0, 0, 2000, 500)),))
    request = hf_fake.last(f"/models/{TROCR}")
    assert request.headers["content-type"] == "image/jpeg" and request.headers["authorization"] == "Bearer hf_key"
    sent = Image.open(io.BytesIO(request.body))
    assert (sent.format, sent.size) == ("JPEG", (1024, 256))
    assert reader.model == TROCR


@pytest.mark.parametrize("body", [{"generated_text": ""}, [{"generated_text": " \n "}]])
async def test_hugging_face_without_text_gives_no_lines(
    hf_fake: FakeHuggingFace, hf_client: HuggingFaceClient, body: object,
) -> None:
    hf_fake.script(f"/models/{TROCR}", ok(body))

    assert await HfTextReader(hf_client, TROCR).read(PHOTO, lang="es") == ReadText()


async def test_hugging_face_loading_the_model_is_waited_for(
    hf_fake: FakeHuggingFace, hf_client: HuggingFaceClient, sleeps: Sleeps,
) -> None:
    hf_fake.script(f"/models/{TROCR}", loading(2.0), ok([{"generated_text": "SALIDA"}]))

    assert (await HfTextReader(hf_client, TROCR).read(PHOTO, lang="es")).text == "SALIDA"
    assert sleeps.waits == [2.0]


@pytest.mark.parametrize("reply", [malformed(), ok([{"text": "SALIDA"}]), ok([{"generated_text": 7}])],
                         ids=["not json", "no generated_text", "not text"])
async def test_hugging_face_answers_that_cannot_be_read_are_unavailable(
    hf_fake: FakeHuggingFace, hf_client: HuggingFaceClient, reply: Reply,
) -> None:
    hf_fake.script(f"/models/{TROCR}", reply)

    with pytest.raises(ModelUnavailable, match="no se entiende"):
        await HfTextReader(hf_client, TROCR).read(PHOTO, lang="es")
    assert hf_fake.count(f"/models/{TROCR}") == 1


# ---- what a client of the HTTP API sees ----


def jpeg(width: int = 320, height: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").convert("RGB").resize((width, height)).save(buffer, format="JPEG")
    return buffer.getvalue()


async def analyze(tmp_path: Path, base: str, **environ: str) -> httpx.Response:
    settings = load_settings({
        "SQLITE_PATH": str(tmp_path / "v.db"), "DETECTION_PROVIDER": "fake", "CAPTIONING_PROVIDER": "openai-compatible",
        "VISION_API_URL": f"{base}/v1", "VISION_API_KEY": KEY, "AI_TIMEOUT_S": "2", "AI_WARM_UP": "false", **environ,
    }, env_file=tmp_path / "none")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/imagen/analizar", files={"file": ("a.jpg", jpeg(), "image/jpeg")})
    finally:
        await app.state.container.ai().http().aclose()


async def test_the_analysis_route_describes_with_the_vision_server(
    fake: FakeVisionServer, vision_server: tuple[FakeVisionServer, str], tmp_path: Path,
) -> None:
    response = await analyze(tmp_path, vision_server[1])

    assert response.status_code == 200, response.text
    assert ANSWER in response.text
    assert fake.images[-1].size == (320, 200)


async def test_a_vision_server_that_answers_nonsense_is_a_json_503_never_a_traceback(
    fake: FakeVisionServer, vision_server: tuple[FakeVisionServer, str], tmp_path: Path,
) -> None:
    fake.script(malformed())

    response = await analyze(tmp_path, vision_server[1])

    assert response.status_code == 503
    assert response.json()["code"] == "model_unavailable" and "Retry-After" in response.headers
    assert "Traceback" not in response.text and "RemoteCallError" not in response.text


async def test_with_the_local_fallback_a_failing_vision_server_still_gets_a_description(
    fake: FakeVisionServer, vision_server: tuple[FakeVisionServer, str], tmp_path: Path,
) -> None:
    fake.script(malformed())

    response = await analyze(tmp_path, vision_server[1], AI_FALLBACK_LOCAL="true")

    assert response.status_code == 200, response.text
    assert ANSWER not in response.text and len(fake.requests) == 1

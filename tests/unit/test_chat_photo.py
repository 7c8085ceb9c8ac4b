"""A photo in the chat (the ``image`` frame): read from its frame, described and read on ova's fakes,
answered as text or spoken like a voice note's answer, stored in the conversation; a bad photo gets an
error frame and stores nothing."""

from __future__ import annotations

import base64
import json

import attrs
import pytest

from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.domain.text_reading import TextLine
from ova.domain.vision import Box
from ova.entrypoints.websocket.attachments import decode_image
from ova.entrypoints.websocket.client_frames import FrameError, ImageMessage
from ova.entrypoints.websocket.dialect import Dialect
from ova.entrypoints.websocket.frame_reading import max_frame_bytes, read_frame
from tests.unit.test_chat_worker import VOICE_NOTE, Setup

PHOTO = ImageMessage(base64.b64encode(b"any photo").decode())
SIGN = "Veo una persona en el centro. Hay un texto que dice: «PROHIBIDO EL PASO»."
TEXT_LIMIT = 64 * 1024
FRAME_LIMIT = max_frame_bytes(TEXT_LIMIT, 5 * 1024 * 1024)


def read(frame: dict[str, object]) -> object:
    return read_frame(json.dumps(frame), max_text_bytes=TEXT_LIMIT, max_frame_bytes=FRAME_LIMIT)


# --- the frame ---------------------------------------------------------------------------------

def test_an_image_frame_is_read_with_its_language_and_speak_choice() -> None:
    assert read({"type": "image", "image": "QUJD"}) == ImageMessage("QUJD")
    assert read({"type": "image", "image": "QUJD", "language": "en", "speak": True}) == ImageMessage(
        "QUJD", "en", True)


def test_an_image_frame_may_be_larger_than_a_text_message() -> None:
    big = base64.b64encode(bytes(200 * 1024)).decode()
    message = read({"type": "image", "image": big})
    assert isinstance(message, ImageMessage) and len(message.image) > TEXT_LIMIT


@pytest.mark.parametrize(("frame", "code"), [
    ({"type": "image"}, "invalid_frame"),
    ({"type": "image", "image": 5}, "invalid_frame"),
    ({"type": "image", "image": "QUJD", "language": "fr"}, "unsupported_language"),
    ({"type": "image", "image": "QUJD", "language": "auto"}, "unsupported_language"),
])
def test_a_bad_image_frame_is_refused_with_its_code(frame: dict[str, object], code: str) -> None:
    with pytest.raises(FrameError) as refused:
        read(frame)
    assert refused.value.code == code


def test_an_image_frame_past_the_frame_limit_is_too_large() -> None:
    with pytest.raises(FrameError) as refused:
        read_frame(json.dumps({"type": "image", "image": "A" * 5000}), max_text_bytes=1024, max_frame_bytes=4096)
    assert refused.value.code == "too_large"


def test_the_photo_is_decoded_from_base64_or_a_data_url() -> None:
    encoded = base64.b64encode(b"\xff\xd8jpeg").decode()
    assert decode_image(ImageMessage(encoded), max_bytes=100) == b"\xff\xd8jpeg"
    assert decode_image(ImageMessage("data:image/jpeg;base64," + encoded), max_bytes=100) == b"\xff\xd8jpeg"


@pytest.mark.parametrize(("payload", "code", "message"), [
    ("no es base64!", "invalid_image", "La foto no está en base64."),
    ("", "invalid_image", "La foto está vacía."),
    (base64.b64encode(bytes(101)).decode(), "too_large", "La foto supera el máximo de 0 MB."),
    ("A" * 1000, "too_large", "La foto supera el máximo de 0 MB."),
])
def test_a_photo_that_is_not_base64_or_too_large_is_refused(payload: str, code: str, message: str) -> None:
    with pytest.raises(FrameError) as refused:
        decode_image(ImageMessage(payload), max_bytes=100)
    assert (refused.value.code, refused.value.message) == (code, message)


# --- the answer --------------------------------------------------------------------------------

async def test_a_photo_is_answered_with_its_description_and_text_and_stored_like_an_answer() -> None:
    setup = Setup()
    setup.worker.admit(PHOTO)
    assert await setup.answered() == ["typing", "text", "typing"]
    answer = setup.client.frames[1]
    assert answer["text"] == SIGN and answer["is_user"] is False
    assert await setup.stored() == ["[Foto]", SIGN]
    assert setup.outcomes("answered") == 1


async def test_a_photo_is_described_in_the_language_its_frame_names() -> None:
    setup = Setup()
    setup.worker.admit(attrs.evolve(PHOTO, language="en"))
    await setup.answered()
    assert await setup.stored() == ["[Photo]", "I can see a person in the centre. There is text that says: “NO ENTRY”."]


async def test_a_photo_in_a_voice_conversation_is_answered_aloud_like_a_voice_note() -> None:
    setup = Setup()
    setup.worker.admit(VOICE_NOTE)
    setup.worker.admit(PHOTO)
    assert await setup.answered() == ["typing", "text:user", "audio", "typing", "typing", "audio", "typing"]
    spoken = setup.client.frames[-2]
    assert spoken["text"] == SIGN and spoken["audio"].startswith("data:audio/wav;base64,")
    assert (await setup.stored())[-2:] == ["[Foto]", SIGN]


async def test_speak_in_the_frame_overrides_whether_the_conversation_is_a_voice_one() -> None:
    setup = Setup()
    setup.worker.admit(attrs.evolve(PHOTO, speak=True))
    setup.worker.admit(VOICE_NOTE)
    setup.worker.admit(attrs.evolve(PHOTO, speak=False))
    kinds = await setup.answered()
    assert kinds == ["typing", "audio", "typing", "typing", "text:user", "audio", "typing", "typing", "text", "typing"]


async def test_a_photo_on_a_connection_that_asked_for_audio_chunks_is_spoken_a_sentence_at_a_time() -> None:
    setup = Setup(dialect=Dialect(audio_chunks=True))
    setup.worker.admit(attrs.evolve(PHOTO, speak=True))
    kinds = await setup.answered()
    assert kinds[:3] == ["typing", "text", "audio_chunk"] and kinds[-1] == "typing"
    chunks = [frame for frame in setup.client.frames if frame["type"] == "audio_chunk"]
    assert chunks[-1]["final"] is True and {c["id"] for c in chunks} == {setup.client.frames[1]["id"]}


@pytest.mark.parametrize(("message", "code"), [
    (ImageMessage(base64.b64encode(b"broken").decode()), "unreadable_media"),
    (ImageMessage("no es base64!"), "invalid_image"),
    (ImageMessage(base64.b64encode(bytes(2048)).decode()), "too_large"),
])
async def test_a_bad_photo_gets_an_error_frame_and_nothing_is_stored(message: ImageMessage, code: str) -> None:
    setup = Setup(max_photo_bytes=1024)
    setup.worker.admit(message)
    assert await setup.answered() == ["typing", f"error:{code}", "typing"]
    assert await setup.stored() == []


async def test_long_text_is_quoted_short_in_the_description_and_given_whole_after_it() -> None:
    words = " ".join(f"palabra{i}" for i in range(40))
    setup = Setup(reader=FakeTextReader([TextLine(words, 0.9, Box(0, 0, 4, 2))]))
    setup.worker.admit(PHOTO)
    await setup.answered()
    answer = setup.client.frames[1]["text"]
    description, full = answer.split("\n\nTodo el texto:\n")
    assert description.startswith("Veo una persona en el centro. Hay un texto que dice: «palabra0")
    assert description.endswith("…».")
    assert full == words


async def test_a_photo_without_text_is_answered_with_its_description_alone() -> None:
    setup = Setup(reader=FakeTextReader([]))
    setup.worker.admit(PHOTO)
    await setup.answered()
    assert setup.client.frames[1]["text"] == "Veo una persona en el centro."

"""The chat's ``image`` frame through a real server (``OCR_PROVIDER=fake``: "PROHIBIDO EL PASO" on any
photo that is not all one colour, with the fake detector's person in the centre)."""

from __future__ import annotations

import base64
import io
import wave

import httpx
from PIL import Image

from tests.e2e.chat_client import chat
from tests.e2e.conftest import Account

SIGN = "Veo una persona en el centro. Hay un texto que dice: «PROHIBIDO EL PASO»."


def photo(fmt: str = "JPEG", *, plain: bool = False) -> bytes:
    picture = Image.new("RGB", (160, 120), (230, 230, 230))
    if not plain:
        picture.paste((10, 10, 10), (20, 40, 140, 80))
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def as_base64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def voice_note() -> str:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * 8000)
    return as_base64(buffer.getvalue())


def test_a_photo_is_answered_with_its_description_and_text_and_kept_in_the_history(
    base_url: str, client: httpx.Client, user: Account,
) -> None:
    with chat(base_url, f"/ws?token={user.token}") as socket:
        socket.send({"type": "image", "image": as_base64(photo())})
        frames = socket.reply()
        chat_id = socket.chat_id
    assert [f["type"] for f in frames] == ["typing", "text", "typing"]
    answer = frames[1]
    assert answer["text"] == SIGN and answer["is_user"] is False
    turns = client.get(f"/chats/{chat_id}/mensajes", headers=user.headers).json()
    assert [(t["is_user"], t["text"]) for t in turns] == [(True, "[Foto]"), (False, SIGN)]


def test_a_data_url_photo_in_english_and_a_photo_without_text(base_url: str) -> None:
    with chat(base_url) as socket:
        socket.send({"type": "image", "image": "data:image/png;base64," + as_base64(photo("PNG")), "language": "en"})
        english = socket.reply()[1]
        socket.send({"type": "image", "image": as_base64(photo(plain=True)), "language": "en"})
        plain = socket.reply()[1]
    assert english["text"] == "I can see a person in the centre. There is text that says: “NO ENTRY”."
    assert plain["text"] == "I can see a person in the centre."  # the fake detector's person, and no text


def test_in_a_voice_conversation_the_photos_answer_is_spoken(base_url: str) -> None:
    with chat(base_url) as socket:
        socket.send({"type": "audio", "audio": voice_note(), "format": "wav"})
        socket.reply()
        socket.send({"type": "image", "image": as_base64(photo())})
        frames = socket.reply()
    assert [f["type"] for f in frames] == ["typing", "audio", "typing"]
    spoken = frames[1]
    assert spoken["text"] == SIGN and spoken["is_user"] is False
    assert base64.b64decode(spoken["audio"].removeprefix("data:audio/wav;base64,"))[:4] == b"RIFF"


def test_a_bad_photo_gets_an_error_frame_stores_nothing_and_the_socket_stays_open(
    base_url: str, client: httpx.Client, user: Account,
) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    refusals = []
    with chat(base_url, f"/ws?token={user.token}") as socket:
        for frame in ({"type": "image", "image": as_base64(photo()[:100])},
                      {"type": "image", "image": as_base64(gif.getvalue())},
                      {"type": "image", "image": "¡no es base64!"},
                      {"type": "image", "image": as_base64(photo()), "language": "fr"},
                      {"type": "image"}):
            socket.send(frame)
            refusals.append(next(f for f in socket.reply() if f["type"] == "error")["code"])
        assert socket.ask("hola")[1]["text"] == "Respuesta a: hola"
        chat_id = socket.chat_id
    assert refusals == ["unreadable_media", "unsupported_media_type", "invalid_image", "unsupported_language",
                        "invalid_frame"]
    turns = client.get(f"/chats/{chat_id}/mensajes", headers=user.headers).json()
    assert [t["text"] for t in turns] == ["hola", "Respuesta a: hola"]


def test_a_photo_larger_than_the_limit_is_too_large_and_the_socket_stays_open(base_url: str) -> None:
    """A photo may be as large as a voice note (5 MiB here, under MAX_UPLOAD_MB): a frame that holds a
    little more is still read, and refused."""
    over = (5 * 1024 * 1024 + 2) // 3 * 4 + 8
    with chat(base_url) as socket:
        socket.send({"type": "image", "image": "A" * over})
        error = next(f for f in socket.reply() if f["type"] == "error")
        assert socket.ask("sigo")[1]["text"] == "Respuesta a: sigo"
    assert error["code"] == "too_large" and error["details"] == {"max_bytes": 5 * 1024 * 1024}


def test_the_image_frame_is_documented_in_the_openapi_description(client: httpx.Client) -> None:
    description = client.get("/openapi.json").json()["info"]["description"]
    assert '{"type": "image", "image"' in description

"""Reading the chat's client frames: every accepted form, every refusal with its code."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ova.entrypoints.asgi.json_limits import MAX_JSON_DEPTH
from ova.entrypoints.websocket.attachments import decode_audio
from ova.entrypoints.websocket.client_frames import AudioMessage, AuthMessage, Cancel, FrameError, Ping, TextMessage
from ova.entrypoints.websocket.frame_reading import max_frame_bytes, read_frame

TEXT_LIMIT = 64 * 1024
FRAME_LIMIT = max_frame_bytes(TEXT_LIMIT, 5 * 1024 * 1024)


def read(raw: object) -> object:
    text = raw if isinstance(raw, str) else json.dumps(raw)
    return read_frame(text, max_text_bytes=TEXT_LIMIT, max_frame_bytes=FRAME_LIMIT)


def refused(raw: object) -> FrameError:
    with pytest.raises(FrameError) as caught:
        read(raw)
    return caught.value


@pytest.mark.parametrize(("raw", "expected"), [
    ({"type": "text", "text": "hola"}, TextMessage("hola")),
    ({"type": "text", "text": "hola", "stream": True}, TextMessage("hola", stream=True)),
    ({"message": "forma documentada"}, TextMessage("forma documentada")),
    ({"type": "message", "message": "mixta"}, TextMessage("mixta")),
    ("texto plano", TextMessage("texto plano")),
    ("42", TextMessage("42")),
    ({"type": "ping", "timestamp": 1}, Ping()),
    ({"type": "pong"}, Ping()),
    ({"type": "cancel"}, Cancel()),
    ({"type": "auth", "token": "abc"}, AuthMessage("abc")),
    ({"type": "audio", "audio": "AAAA", "format": "webm"}, AudioMessage("AAAA", "webm")),
    ({"type": "audio", "audio": "AAAA", "language": "en"}, AudioMessage("AAAA", language="en")),
    ({"type": "text", "text": "con extra", "timestamp": 5, "user": "x"}, TextMessage("con extra")),
])
def test_accepted_frames(raw: object, expected: object) -> None:
    assert read(raw) == expected


@pytest.mark.parametrize(("raw", "code"), [
    ({"type": "shout"}, "unknown_type"),
    ({"type": 3}, "invalid_frame"),
    ({"text": "sin tipo"}, "invalid_frame"),
    ({"type": "text", "text": 5}, "invalid_frame"),
    ({"type": "text", "text": None}, "invalid_frame"),
    ({"type": "text", "text": "x", "stream": "yes"}, "invalid_frame"),
    ({"type": "auth"}, "invalid_frame"),
    ({"type": "text", "text": " \n "}, "empty_message"),
    ("   ", "empty_message"),
    ({"type": "text", "text": "a\x07b"}, "invalid_frame"),
    ({"type": "text", "text": "a" * (TEXT_LIMIT + 1)}, "too_large"),
    ("a" * (TEXT_LIMIT + 1), "too_large"),
    ("a" * (FRAME_LIMIT + 1), "too_large"),
    ({"type": "auth", "token": "t" * TEXT_LIMIT}, "too_large"),
])
def test_refused_frames_carry_a_code(raw: object, code: str) -> None:
    error = refused(raw)
    assert error.code == code and error.message


def test_a_text_at_the_limit_is_accepted_even_in_multibyte_characters() -> None:
    text = "ñ" * (TEXT_LIMIT // 2)
    assert read({"type": "text", "text": text}) == TextMessage(text)
    assert refused({"type": "text", "text": text + "ñ"}).code == "too_large"


@given(st.text(max_size=200))
def test_any_text_frame_is_read_or_refused_with_a_frame_error(raw: str) -> None:
    codes = {"empty_message", "invalid_frame", "unknown_type", "too_large"}
    try:
        frame = read(raw)
    except FrameError as error:
        code = error.code
    else:
        code = None
        assert isinstance(frame, TextMessage | AudioMessage | AuthMessage | Ping | Cancel)
    assert code is None or code in codes


def test_a_voice_note_is_decoded_from_base64_or_a_data_url() -> None:
    data = b"RIFF....WAVE"
    encoded = base64.b64encode(data).decode()
    assert decode_audio(AudioMessage(encoded), max_bytes=100) == data
    assert decode_audio(AudioMessage("data:audio/webm;base64," + encoded), max_bytes=100) == data


@pytest.mark.parametrize(("payload", "code", "message"), [
    ("no es base64!", "invalid_audio", "El audio no está en base64."),
    ("", "invalid_audio", "La nota de voz está vacía."),
    (base64.b64encode(b"x" * 101).decode(), "too_large", "La nota de voz supera el máximo de 0 MB."),
    ("A" * 1000, "too_large", "La nota de voz supera el máximo de 0 MB."),
])
def test_a_bad_voice_note_is_refused(payload: str, code: str, message: str) -> None:
    with pytest.raises(FrameError) as caught:
        decode_audio(AudioMessage(payload), max_bytes=100)
    assert (caught.value.code, caught.value.message) == (code, message)


def deep_object(depth: int) -> str:
    return '{"type": "text", "text": "hola", "x": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("raw", [
    deep_object(MAX_JSON_DEPTH + 1),
    '{"type": "ping", "x": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}",
    '{"a":' * 20_000 + "1" + "}" * 20_000,
    '{"a": ' + "[" * 5_000 + "]" * 5_000 + "}",
])
def test_a_json_object_nested_too_deep_is_an_invalid_frame(raw: str) -> None:
    assert refused(raw).code == "invalid_frame"


def test_an_object_at_the_nesting_limit_is_read() -> None:
    assert read(deep_object(MAX_JSON_DEPTH)) == TextMessage("hola")


def test_deep_brackets_that_are_not_an_object_are_plain_text() -> None:
    raw = "[" * 5_000 + "]" * 5_000
    assert read(raw) == TextMessage(raw)


@pytest.mark.parametrize(("raw", "field"), [
    ('{"type": "text", "text": "a\\ud800b"}', "text"),
    ('{"message": "\\udfff"}', "message"),
    ('{"type": "auth", "token": "\\ud800"}', "token"),
    ('{"type": "\\ud800"}', "type"),
    ('{"type": "text", "text": "hola", "extra": ["\\udc00"]}', "extra.0"),
])
def test_a_lone_surrogate_is_an_invalid_frame_naming_the_field(raw: str, field: str) -> None:
    error = refused(raw)
    assert error.code == "invalid_frame"
    assert error.details["errors"][0]["field"] == field
    json.dumps(error.details).encode()  # the error frame itself must be sendable


def test_a_surrogate_pair_escape_is_one_character() -> None:
    assert read('{"type": "text", "text": "\\ud83d\\ude00"}') == TextMessage("😀")


def test_a_raw_surrogate_in_the_text_is_an_invalid_frame() -> None:
    assert refused("hola \ud800").code == "invalid_frame"

"""Error messages in the conversation's or the request's language: every code the service sends has
an English message, details fill it in, and Spanish keeps the precise message it was raised with."""

from __future__ import annotations

import inspect
import json

import pytest

from ova.domain import errors
from ova.domain.language import Language, UnknownLanguage
from ova.entrypoints.asgi.messages import ENGLISH, error_frame_in, in_language
from ova.entrypoints.asgi.problems import HTTP_DEFAULTS
from ova.entrypoints.websocket import server_frames
from ova.entrypoints.websocket.client_frames import AudioMessage, FrameError, TextMessage
from ova.entrypoints.websocket.frame_reading import read_frame

WEBSOCKET_CODES = ("invalid_frame", "unknown_type", "empty_message", "too_large", "unsupported_frame",
                   "invalid_audio", "no_speech", "rate_limited", "busy", "model_unavailable", "cancelled",
                   "invalid_token", "forbidden", "unavailable", "internal_error", "invalid_chat_id",
                   "unsupported_language")


def domain_codes() -> set[str]:
    return {cls.code for _, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, errors.DomainError)}


def test_every_code_the_service_sends_has_an_english_message() -> None:
    codes = set(WEBSOCKET_CODES) | domain_codes() | {code for code, _ in HTTP_DEFAULTS.values()}
    assert sorted(codes - ENGLISH.keys()) == []


def test_spanish_keeps_the_message_the_error_was_raised_with() -> None:
    assert in_language("too_large", "El mensaje supera el máximo de 64 KiB.", Language.ES) == (
        "El mensaje supera el máximo de 64 KiB.")


def test_english_fills_in_the_details_and_does_without_them_when_they_are_missing() -> None:
    assert in_language("too_large", "...", Language.EN, {"max_bytes": 65536}) == (
        "The message is larger than the maximum of 64 KiB.")
    assert in_language("too_large", "...", Language.EN, {}) == "The message is too large."
    assert in_language("rate_limited", "...", Language.EN, {"retry_after_s": 7}) == "Too many messages; wait 7 s."


def test_a_code_without_a_translation_keeps_its_spanish_message() -> None:
    assert in_language("something_new", "Algo nuevo.", Language.EN) == "Algo nuevo."


def test_an_error_frame_is_translated_and_keeps_its_code_and_details() -> None:
    frame = server_frames.error("cancelled", "Respuesta cancelada.", {"x": 1})
    assert error_frame_in(frame, Language.EN) == {"type": "error", "error": "Answer cancelled.", "code": "cancelled",
                                                  "details": {"x": 1}}
    assert error_frame_in(frame, Language.ES) is frame
    answer = {"type": "text", "text": "hola"}
    assert error_frame_in(answer, Language.EN) is answer


def read(raw: dict[str, object]) -> object:
    return read_frame(json.dumps(raw), max_text_bytes=65536, max_frame_bytes=1 << 20)


def test_a_message_frame_may_name_its_language() -> None:
    assert read({"type": "text", "text": "hi", "language": "en"}) == TextMessage("hi", False, "en")
    text = read({"type": "text", "text": " hi ", "stream": True, "language": "EN-gb"})
    assert isinstance(text, TextMessage) and text.spoken is Language.EN and text.text == "hi"
    audio = read({"type": "audio", "audio": "AAAA", "language": "es"})
    assert isinstance(audio, AudioMessage) and audio.spoken is Language.ES
    plain = read({"type": "text", "text": "hola"})
    assert isinstance(plain, TextMessage) and plain.spoken is None


@pytest.mark.parametrize("frame", [{"type": "text", "text": "hi", "language": "fr"},
                                   {"type": "audio", "audio": "AAAA", "language": "klingon"}])
def test_a_frame_naming_an_unknown_language_is_refused_with_the_accepted_values(frame: dict[str, object]) -> None:
    with pytest.raises(FrameError) as caught:
        read(frame)
    assert caught.value.code == "unsupported_language"
    assert caught.value.details["accepted"] == ["es", "en"]
    assert "es, en" in caught.value.message
    english = error_frame_in(server_frames.refusal(caught.value), Language.EN)["error"]
    assert english == f"Unsupported language: {frame['language']!r}. Accepted values: es, en."


def test_a_language_that_is_not_text_is_an_invalid_frame() -> None:
    with pytest.raises(FrameError) as caught:
        read({"type": "text", "text": "hi", "language": 3})
    assert caught.value.code == "invalid_frame"


def test_the_unsupported_language_error_is_a_validation_error_over_http() -> None:
    error = UnknownLanguage("fr")
    assert isinstance(error, errors.InvalidInput) and error.code == "validation_error"

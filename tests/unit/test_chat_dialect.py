"""The chat's dialects: which features a ``?features=`` value asks for, the refusal of unknown ones,
and the frames each dialect makes of a voice note's steps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ova.domain.chat import Speaker, Turn
from ova.entrypoints.websocket.client_frames import FrameError
from ova.entrypoints.websocket.dialect import FEATURES, PUBLISHED, Dialect, dialect_for

AT = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
QUESTION = Turn(Speaker.USER, "¿qué hora es?", AT)
ANSWER = Turn(Speaker.ASSISTANT, "Son las seis.", AT)


@pytest.mark.parametrize("values", [[], [""], [" , ,"]])
def test_no_features_is_the_published_clients_dialect(values: list[str]) -> None:
    assert dialect_for(values) == PUBLISHED
    assert PUBLISHED.features == ()


@pytest.mark.parametrize("values", [
    ["transcription,text_then_audio"], [" text_then_audio , transcription "], ["transcription", "text_then_audio"],
    ["transcription,transcription,text_then_audio"],
])
def test_features_are_read_from_every_value_blanks_and_repeats_aside(values: list[str]) -> None:
    dialect = dialect_for(values)
    assert dialect == Dialect(transcription=True, text_then_audio=True)
    assert dialect.features == ("transcription", "text_then_audio")


def test_each_feature_is_asked_for_on_its_own() -> None:
    assert dialect_for(["transcription"]).features == ("transcription",)
    assert dialect_for(["text_then_audio"]).features == ("text_then_audio",)
    assert dialect_for(["audio_chunks"]).features == ("audio_chunks",)


@pytest.mark.parametrize(("values", "unknown"), [
    (["audio_chunk"], ["audio_chunk"]),
    (["transcription,Transcription"], ["Transcription"]),
    (["transcription", "x,y"], ["x", "y"]),
])
def test_an_unknown_feature_is_refused_naming_it_and_the_accepted_ones(values: list[str], unknown: list[str]) -> None:
    with pytest.raises(FrameError) as refused:
        dialect_for(values)
    assert refused.value.code == "unknown_feature"
    assert refused.value.details == {"unknown": unknown, "accepted": list(FEATURES)}
    assert list(FEATURES) == ["transcription", "text_then_audio", "audio_chunks"]
    assert all(name in refused.value.message for name in unknown)


def test_a_flood_of_unknown_names_is_refused_without_echoing_all_of_it() -> None:
    with pytest.raises(FrameError) as refused:
        dialect_for([",".join(f"{i:03d}" + "x" * 100 for i in range(100))])
    names = refused.value.details["unknown"]
    assert len(names) == 16 and all(len(name) == 40 for name in names)


def test_the_published_dialect_shows_the_words_as_the_users_bubble_and_the_answer_once_with_its_audio() -> None:
    assert PUBLISHED.heard("¿qué hora es?") is None
    assert PUBLISHED.asked("m1", QUESTION) == {
        "type": "text", "id": "m1", "text": "¿qué hora es?", "is_user": True, "timestamp": "2026-12-06T18:00:00Z"}
    assert PUBLISHED.answered("m2", ANSWER) is None
    spoken = PUBLISHED.spoken("m2", ANSWER, b"RIFF")
    assert spoken == {"type": "audio", "id": "m2", "text": "Son las seis.", "is_user": False,
                      "timestamp": "2026-12-06T18:00:00Z", "audio": "data:audio/wav;base64,UklGRg=="}
    assert PUBLISHED.unspoken("m2", ANSWER) == {
        "type": "text", "id": "m2", "text": "Son las seis.", "is_user": False, "timestamp": "2026-12-06T18:00:00Z"}


def test_the_rich_dialect_shows_the_transcription_the_answer_at_once_and_its_audio_after() -> None:
    rich = Dialect(transcription=True, text_then_audio=True)
    assert rich.heard("¿qué hora es?") == {"type": "transcription", "text": "¿qué hora es?"}
    assert rich.asked("m1", QUESTION) is None
    assert rich.answered("m2", ANSWER) == PUBLISHED.unspoken("m2", ANSWER)
    assert rich.spoken("m2", ANSWER, b"RIFF") == {
        "type": "audio", "id": "m2", "text": "Son las seis.", "audio": "data:audio/wav;base64,UklGRg=="}
    assert rich.unspoken("m2", ANSWER) is None

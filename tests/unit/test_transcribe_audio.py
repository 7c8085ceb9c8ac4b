"""Transcribing a voice note: which language it is heard in, and a note with nothing heard in it."""

from __future__ import annotations

import pytest

from ova.adapters.ai.fakes.speech import FakeSpeechToText
from ova.application.speech.use_cases import TranscribeAudio
from ova.domain.errors import InvalidInput, NoSpeech, UnsupportedLanguage
from ova.domain.speech import AudioClip, SpeechLanguage

CLIP = AudioClip(b"RIFF....WAVE", "wav")


async def test_without_a_language_the_default_language_is_asked() -> None:
    spanish, english = FakeSpeechToText(), FakeSpeechToText()

    heard = await TranscribeAudio(spanish)(CLIP)
    await TranscribeAudio(english, default_language="en")(CLIP)

    assert spanish.asked == [SpeechLanguage.ES] and english.asked == [SpeechLanguage.EN]
    assert heard.transcript.language == "es" and heard.model == "fake-stt"


@pytest.mark.parametrize(("value", "asked"), [("es", SpeechLanguage.ES), (" EN ", SpeechLanguage.EN),
                                              ("Auto", SpeechLanguage.AUTO)])
async def test_the_asked_language_is_passed_on_whatever_its_case(value: str, asked: SpeechLanguage) -> None:
    stt = FakeSpeechToText(detected="en")

    heard = await TranscribeAudio(stt)(CLIP, value)

    assert stt.asked == [asked]
    assert heard.transcript.language == ("en" if asked is SpeechLanguage.AUTO else asked.value)


@pytest.mark.parametrize("value", ["fr", "", "spanish", "es-ES"])
async def test_an_unknown_language_is_invalid_input_listing_the_accepted_values(value: str) -> None:
    stt = FakeSpeechToText()

    with pytest.raises(InvalidInput) as refused:
        await TranscribeAudio(stt)(CLIP, value)

    assert "es, en, auto" in refused.value.detail
    assert refused.value.field == "lang" and refused.value.code == "validation_error"
    assert stt.clips == []


async def test_a_note_with_nothing_heard_is_no_speech_naming_the_language() -> None:
    stt = FakeSpeechToText("  ")

    with pytest.raises(NoSpeech) as raised:
        await TranscribeAudio(stt)(CLIP, "en")

    assert raised.value.code == "no_speech"
    assert "en inglés" in raised.value.detail


async def test_hearing_nothing_is_an_empty_transcript_for_who_shows_it() -> None:
    heard = await TranscribeAudio(FakeSpeechToText(" ")).hear(CLIP)

    assert heard.transcript.text.strip() == ""


async def test_a_language_the_model_cannot_hear_is_refused_by_the_model() -> None:
    english_only = FakeSpeechToText(languages=("en",), default_language="en")

    with pytest.raises(UnsupportedLanguage):
        await TranscribeAudio(english_only)(CLIP)  # the default, Spanish
    assert english_only.clips == []

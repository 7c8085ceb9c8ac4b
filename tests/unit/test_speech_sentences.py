"""Speech made a sentence at a time: the whole-WAV use case joins them, the streaming one hands each
over as soon as it is ready, and the local engines are chosen by language or by voice."""

from __future__ import annotations

import contextlib
import io
import wave

import numpy as np
import pytest

from ova.adapters.ai.audio import wav_bytes
from ova.adapters.ai.fakes.speech import FakeTextToSpeech
from ova.adapters.ai.local.by_language import ByLanguage
from ova.adapters.ai.local.espeak import parse_stdout_wav
from ova.application.speech.sentences import SpeakSentences
from ova.application.speech.use_cases import SpeechRequest, SynthesizeSpeech
from ova.domain.errors import InvalidInput, ModelUnavailable
from ova.domain.speech import Speech, join_speech


def _speech(seconds: float, rate: int = 16_000) -> Speech:
    n = int(seconds * rate)
    return Speech(wav=wav_bytes(np.full(n, 0.1, np.float32), rate), sample_rate=rate, duration_s=seconds)


def test_joined_speech_holds_every_part_and_the_pauses_between_them() -> None:
    joined = join_speech([_speech(0.5), _speech(0.25), _speech(0.25)], pause_s=0.1)
    with wave.open(io.BytesIO(joined.wav), "rb") as reader:
        assert reader.getframerate() == 16_000 and reader.getnframes() == int(1.2 * 16_000)
    assert joined.duration_s == 1.2


def test_a_part_at_another_rate_is_resampled_to_the_first_ones() -> None:
    """A remote voice (24 kHz) that failed after the first sentence, the local one (16 kHz) went on:
    one WAV at 24 kHz, each part as long as it was, the sound kept (a constant stays that constant)."""
    joined = join_speech([_speech(0.5, rate=24_000), _speech(0.25, rate=16_000)], pause_s=0.1)

    with wave.open(io.BytesIO(joined.wav), "rb") as reader:
        rate, frames = reader.getframerate(), reader.readframes(reader.getnframes())
    samples = np.frombuffer(frames, "<i2")
    assert rate == 24_000 and len(samples) == int(0.85 * 24_000)
    assert joined.duration_s == 0.85
    assert set(samples[-6_000:].tolist()) == {round(0.1 * 32767)}


def test_nothing_cannot_be_joined() -> None:
    with pytest.raises(ValueError, match="nothing"):
        join_speech([])


async def test_the_whole_wav_is_the_sentences_spoken_one_by_one_and_joined() -> None:
    tts = FakeTextToSpeech()
    speech = await SynthesizeSpeech(tts)(SpeechRequest("Hola. ¿Qué tal estás?"))
    assert tts.texts == ["Hola.", "¿Qué tal estás?"]
    alone = [await FakeTextToSpeech().synthesize(text) for text in tts.texts]
    assert speech.duration_s == pytest.approx(sum(part.duration_s for part in alone) + 0.12, abs=0.002)


async def test_the_language_is_the_requests_else_the_default() -> None:
    tts = FakeTextToSpeech()
    await SynthesizeSpeech(tts)(SpeechRequest("Hello.", lang="en"))
    await SynthesizeSpeech(tts)(SpeechRequest("Hola."))
    await SynthesizeSpeech(tts, default_language="en")(SpeechRequest("Hello."))
    assert tts.languages == ["en", "es", "en"]


async def test_sentences_come_in_order_with_the_last_one_final() -> None:
    tts = FakeTextToSpeech()
    spoken = [s async for s in SpeakSentences(tts)("Uno. Dos. Tres.", language="en")]
    assert [(s.index, s.text, s.final) for s in spoken] == [(0, "Uno.", False), (1, "Dos.", False), (2, "Tres.", True)]
    assert tts.languages == ["en"] * 3
    assert [s async for s in SpeakSentences(tts)("   ")] == []


async def test_closing_the_stream_early_stops_the_synthesis_of_the_rest() -> None:
    tts = FakeTextToSpeech()
    async with contextlib.aclosing(SpeakSentences(tts)("Uno. Dos. Tres. Cuatro.")) as spoken:
        async for sentence in spoken:
            assert sentence.index == 0
            break
    assert tts.texts[:1] == ["Uno."] and len(tts.texts) <= 2  # the one already started, at most


class _Engine(FakeTextToSpeech):
    def __init__(self, model: str, voices: tuple[str, ...]) -> None:
        super().__init__()
        self.model = model  # type: ignore[misc]
        self.voices = voices  # type: ignore[misc]
        self.loaded = False

    def load(self) -> None:
        self.loaded = True


async def test_the_language_picks_the_engine_unless_a_voice_names_another() -> None:
    spanish, english = _Engine("kokoro", ("jm_kumo",)), _Engine("hibari", ("af_heart",))
    tts = ByLanguage({"es": spanish, "en": english})
    await tts.synthesize("Hola.", language="es")
    await tts.synthesize("Hello.", language="en")
    await tts.synthesize("Hello.", voice="jm_kumo", language="en")
    assert (spanish.texts, english.texts) == (["Hola.", "Hello."], ["Hello."])
    assert tts.voices == ("jm_kumo", "af_heart") and tts.model == "kokoro [es] + hibari [en]"
    assert not tts.loaded
    tts.load()
    assert tts.loaded


async def test_an_unknown_language_or_voice_is_invalid_input_listing_what_there_is() -> None:
    tts = ByLanguage({"es": _Engine("kokoro", ("jm_kumo",)), "en": _Engine("hibari", ("af_heart",))})
    with pytest.raises(InvalidInput) as language:
        await tts.synthesize("Bonjour.", language="fr")
    assert "es, en" in language.value.detail and language.value.field == "lang"
    with pytest.raises(InvalidInput) as voice:
        await tts.synthesize("Hola.", voice="nobody")
    assert "jm_kumo, af_heart" in voice.value.detail


def test_espeaks_piped_wav_is_read_to_its_end_whatever_its_header_claims() -> None:
    pcm = (np.arange(100, dtype="<i2") * 100).tobytes()
    header = (b"RIFF\xff\xff\xff\x7fWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00"
              b"\x02\x00\x10\x00data\xff\xff\xff\x7f")
    rate, samples = parse_stdout_wav(header + pcm + b"\x01")
    assert rate == 22_050 and samples.size == 100 and samples[1] == pytest.approx(100 / 32768)
    with pytest.raises(ModelUnavailable):
        parse_stdout_wav(b"not a wav at all")

"""Reading the text of a photo, alone (``ReadTextInImage``) and inside the analysis (``AnalyzeImage``),
with ova's fakes and a decoder that hands back a fixed image."""

from __future__ import annotations

import asyncio

import pytest

from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.adapters.ai.fakes.vision import FakeImageCaptioner, FakeObjectDetector
from ova.application.vision.analyze import AnalyzeImage
from ova.application.vision.read_text import ReadTextInImage
from ova.domain.errors import ModelUnavailable, UnreadableMedia
from ova.domain.language import UnknownLanguage
from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import Box, DetectedObject, RgbImage

TWO_COLOURS = RgbImage(4, 2, bytes([0, 0, 0] * 4 + [255, 255, 255] * 4))
ONE_COLOUR = RgbImage(4, 2, bytes([9, 9, 9] * 8))


class FixedDecoder:
    """Gives ``image`` for any bytes, or raises ``UnreadableMedia`` for ``b"broken"``."""

    def __init__(self, image: RgbImage) -> None:
        self.image = image
        self.calls = 0

    async def decode(self, data: bytes) -> RgbImage:
        self.calls += 1
        if data == b"broken":
            raise UnreadableMedia()
        return self.image


class SlowReader(FakeTextReader):
    """Records whether the detector was still running when reading started (concurrency)."""

    def __init__(self, detector: SlowDetector) -> None:
        super().__init__()
        self.detector = detector
        self.overlapped = False

    async def read(self, image: RgbImage, *, lang: str) -> ReadText:
        self.overlapped = self.detector.running
        await asyncio.sleep(0)
        return await super().read(image, lang=lang)


class SlowDetector(FakeObjectDetector):
    running = False

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        self.running = True
        await asyncio.sleep(0.01)
        self.running = False
        return await super().detect(image, min_confidence=min_confidence)


class FailingReader(FakeTextReader):
    async def read(self, image: RgbImage, *, lang: str) -> ReadText:
        raise ModelUnavailable("OCR caído")


def analyze(reader: FakeTextReader, image: RgbImage = TWO_COLOURS,
            detector: FakeObjectDetector | None = None) -> AnalyzeImage:
    return AnalyzeImage(decoder=FixedDecoder(image), detector=detector or FakeObjectDetector(),
                        captioner=FakeImageCaptioner(), reader=reader, min_confidence=0.3)


async def test_the_text_its_lines_language_and_model_are_given_back() -> None:
    line = TextLine("Ibuprofeno 600 mg", 0.87, Box(0, 0, 3, 1))
    result = await ReadTextInImage(FixedDecoder(TWO_COLOURS), FakeTextReader([line, line]))(b"jpeg", lang="es")
    assert result.text == "Ibuprofeno 600 mg\nIbuprofeno 600 mg"
    assert list(result.lines) == [line, line]
    assert (result.language, result.model) == ("es", "fake-ocr")
    assert result.elapsed_ms >= 0


async def test_the_language_is_normalised_before_the_reader_is_asked() -> None:
    reader = FakeTextReader()
    result = await ReadTextInImage(FixedDecoder(TWO_COLOURS), reader)(b"jpeg", lang="en-GB")
    assert (result.language, result.text, reader.calls) == ("en", "NO ENTRY", ["en"])


async def test_an_unknown_language_is_refused_before_the_photo_is_decoded() -> None:
    decoder, reader = FixedDecoder(TWO_COLOURS), FakeTextReader()
    with pytest.raises(UnknownLanguage):
        await ReadTextInImage(decoder, reader)(b"jpeg", lang="fr")
    assert (decoder.calls, reader.calls) == (0, [])


async def test_a_broken_photo_reaches_no_reader() -> None:
    reader = FakeTextReader()
    with pytest.raises(UnreadableMedia):
        await ReadTextInImage(FixedDecoder(TWO_COLOURS), reader)(b"broken")
    assert reader.calls == []


async def test_a_photo_without_text_gives_empty_text() -> None:
    result = await ReadTextInImage(FixedDecoder(ONE_COLOUR), FakeTextReader())(b"jpeg")
    assert (result.text, list(result.lines)) == ("", [])


async def test_the_analysis_has_the_text_and_its_description_ends_with_it() -> None:
    result = await analyze(FakeTextReader())(b"jpeg", lang="es")
    assert result.text == "PROHIBIDO EL PASO" and len(result.lines) == 1
    assert result.description == "Veo una persona en el centro. Hay un texto que dice: «PROHIBIDO EL PASO»."
    assert result.models == {"detection": "fake-detector", "captioning": "fake-captioner", "ocr": "fake-ocr"}
    english = await analyze(FakeTextReader())(b"jpeg", lang="en")
    assert english.description == "I can see a person in the centre. There is text that says: “NO ENTRY”."


async def test_the_analysis_without_objects_says_what_is_written() -> None:
    result = await analyze(FakeTextReader(), detector=FakeObjectDetector([]))(b"jpeg")
    assert result.description == "Se ve un texto que dice: «PROHIBIDO EL PASO»."


async def test_the_analysis_of_a_photo_without_text_is_the_plain_description() -> None:
    result = await analyze(FakeTextReader(), image=ONE_COLOUR)(b"jpeg")
    assert (result.text, list(result.lines)) == ("", [])
    assert result.description == "Veo una persona en el centro."


async def test_detection_and_reading_run_at_the_same_time() -> None:
    detector = SlowDetector()
    reader = SlowReader(detector)
    await analyze(reader, detector=detector)(b"jpeg")
    assert reader.overlapped


async def test_a_failing_reader_fails_the_analysis_with_its_own_error() -> None:
    with pytest.raises(ModelUnavailable):
        await analyze(FailingReader())(b"jpeg")

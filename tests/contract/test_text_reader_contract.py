"""The same assertions for Tesseract (whole page, and after the text detector when it is installed)
and the fake reader: reading order, boxes inside the image, confidences, nothing on a plain image."""

from __future__ import annotations

import shutil

import pytest

from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.adapters.ai.local.ocr import TesseractReader
from ova.adapters.ai.local.text_regions import detector_file
from ova.adapters.ai.pool import InferencePool
from ova.application.ports.vision import TextReader
from ova.domain.errors import InvalidInput
from ova.domain.text_reading import ReadText
from ova.domain.vision import RgbImage
from tests.ocr_images import notice

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
needs_detector = pytest.mark.skipif(detector_file() is None,
                                    reason="rapidocr-onnxruntime (the text detector) is not installed")


@pytest.fixture(scope="module", params=[
    "fake",
    pytest.param("tesseract-page", marks=needs_tesseract),
    pytest.param("tesseract-regions", marks=[needs_tesseract, needs_detector]),
])
def reader(request: pytest.FixtureRequest) -> TextReader:
    if request.param == "fake":
        return FakeTextReader()
    tesseract = TesseractReader(pool=InferencePool("ocr", workers=2, queue=8),
                                use_detector=request.param == "tesseract-regions")
    tesseract.load()
    return tesseract


@pytest.fixture(scope="module")
def page() -> RgbImage:
    return notice(["PROHIBIDO EL PASO", "NO ENTRY"], size=48)


def assert_well_formed(read: ReadText, image: RgbImage) -> None:
    assert read.text == "\n".join(line.text for line in read.lines)
    tops = [line.box.y for line in read.lines]
    assert tops == sorted(tops), "lines come top to bottom"
    for line in read.lines:
        assert line.text.strip() == line.text and line.text
        assert 0 <= line.confidence <= 1
        assert line.box.width > 0 and line.box.height > 0
        assert line.box.x >= 0 and line.box.y >= 0
        assert line.box.x + line.box.width <= image.width and line.box.y + line.box.height <= image.height


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_text_is_read_in_lines_inside_the_image(reader: TextReader, page: RgbImage, lang: str) -> None:
    read = await reader.read(page, lang=lang)
    assert read.lines
    assert_well_formed(read, page)


async def test_a_plain_image_has_no_text(reader: TextReader) -> None:
    plain = RgbImage(width=320, height=240, pixels=bytes([200, 180, 40]) * (320 * 240), source_format="PNG")
    read = await reader.read(plain, lang="es")
    assert read == ReadText() and read.text == ""


async def test_a_tiny_image_gives_a_well_formed_answer(reader: TextReader) -> None:
    tiny = RgbImage(width=3, height=2, pixels=bytes(range(18)), source_format="PNG")
    assert_well_formed(await reader.read(tiny, lang="en"), tiny)


async def test_the_real_reader_reads_what_is_printed(reader: TextReader, page: RgbImage) -> None:
    if isinstance(reader, FakeTextReader):
        pytest.skip("the fake reads its own lines")
    read = await reader.read(page, lang="es")
    assert read.text == "PROHIBIDO EL PASO\nNO ENTRY"


async def test_an_unknown_language_is_refused_by_the_real_reader(reader: TextReader, page: RgbImage) -> None:
    if isinstance(reader, FakeTextReader):
        pytest.skip("the fake accepts any language")
    with pytest.raises(InvalidInput):
        await reader.read(page, lang="fr")


def test_the_reader_names_its_model(reader: TextReader) -> None:
    assert isinstance(reader.model, str) and reader.model

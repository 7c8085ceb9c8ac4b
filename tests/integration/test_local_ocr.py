"""Tesseract on rendered notices and signs, and on the detection photos: Spanish letters read
exactly, nothing invented on photos, a missing program or language named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from ova.adapters.ai.image_arrays import to_numpy_rgb
from ova.adapters.ai.local.detection import yolo_files
from ova.adapters.ai.local.ocr import TesseractReader, tesseract_languages
from ova.adapters.ai.local.ocr_install import find_tesseract, tesseract_problem
from ova.adapters.ai.local.ocr_probe import TextReaderProbe
from ova.adapters.ai.local.text_regions import MAX_SIDE, TextRegionDetector, detector_file
from ova.adapters.ai.pool import InferencePool
from ova.bootstrap.system_tools import missing_tools
from ova.config.settings import AiSettings, Provider
from ova.domain.errors import ModelUnavailable
from ova.domain.vision import RgbImage
from tests.ocr_images import as_rgb, notice, sign_in

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
needs_detector = pytest.mark.skipif(detector_file() is None,
                                    reason="rapidocr-onnxruntime (the text detector) is not installed")

BUS_WORDS = {"m1", "sol", "sevilla", "emt", "madrid", "un", "minibús", "minibus", "100", "eléctrico", "electrico",
             "sí", "si", "es", "plan", "muévete", "muevete", "eléctricamemt", "electricamemt", "eléctricam",
             "cero", "emisiones", "010", "2010"}
"""Every word written on the bus in bus.jpg (its route sign, its side panels)."""


def sample(name: str) -> RgbImage:
    return as_rgb(Image.open(yolo_files().parent.parent / "samples" / name))


def reader(**options: object) -> TesseractReader:
    return TesseractReader(pool=InferencePool("ocr", workers=2, queue=8), **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=[False, pytest.param(True, marks=needs_detector)], ids=["page", "regions"])
def tesseract(request: pytest.FixtureRequest) -> TesseractReader:
    loaded = reader(use_detector=request.param)
    loaded.load()
    return loaded


async def test_spanish_letters_are_read_exactly(tesseract: TesseractReader) -> None:
    lines = ["¡Atención! Farmacia del Señor Muñoz", "Horario: lunes a sábado, 9:00 a 14:00", "Teléfono 912 345 678"]
    read = await tesseract.read(notice(lines, font="DejaVuSerif.ttf"), lang="es")
    assert read.text.splitlines() == lines


async def test_english_comes_first_when_asked_for(tesseract: TesseractReader) -> None:
    read = await tesseract.read(notice(["Please ring the bell", "Opening hours: 9 am to 5 pm"]), lang="en")
    assert read.text == "Please ring the bell\nOpening hours: 9 am to 5 pm"
    assert tesseract_languages("en") == "eng+spa" and tesseract_languages("es") == "spa+eng"


async def test_nothing_is_invented_on_the_player_photo(tesseract: TesseractReader) -> None:
    assert (await tesseract.read(sample("zidane.jpg"), lang="es")).text == ""


async def test_only_words_written_on_the_bus_are_read_from_the_bus_photo(tesseract: TesseractReader) -> None:
    read = await tesseract.read(sample("bus.jpg"), lang="es")
    words = re.findall(r"[^\W_]{2,}", read.text.lower())
    assert set(words) <= BUS_WORDS, read.text


@needs_detector
async def test_a_tilted_sign_in_a_busy_photo_is_found_and_read() -> None:
    photo = sign_in(sample("bus.jpg"), "PROHIBIDO EL PASO", at=(60, 80))
    found = reader()
    read = await found.read(photo, lang="es")
    assert "PROHIBIDO EL PASO" in read.text.splitlines()
    line = next(line for line in read.lines if line.text == "PROHIBIDO EL PASO")
    assert 40 <= line.box.x <= 120 and 60 <= line.box.y <= 140 and line.confidence >= 0.6
    assert found.model == "tesseract 5 + PP-OCRv4 det"


async def test_without_the_detector_a_whole_page_is_read() -> None:
    plain = reader(use_detector=False)
    assert (await plain.read(notice(["CERRADO POR OBRAS"]), lang="es")).text == "CERRADO POR OBRAS"
    assert plain.model == "tesseract 5"


async def test_a_missing_detector_leaves_the_whole_page_reading() -> None:
    def missing() -> Path:
        raise ModelUnavailable("Faltan los archivos del modelo 'pp-ocrv4-det'")

    plain = reader(locate_detector=missing)
    plain.load()
    assert plain.loaded and plain.model == "tesseract 5"
    assert (await plain.read(notice(["SALIDA"]), lang="es")).text == "SALIDA"


async def test_a_missing_language_folder_is_a_clear_unavailable_model(tmp_path: Path) -> None:
    broken = reader(tessdata=str(tmp_path))
    with pytest.raises(ModelUnavailable, match=r"spa, eng.*tesseract-ocr-spa tesseract-ocr-eng"):
        await broken.read(notice(["HOLA"]), lang="es")
    assert not broken.loaded
    assert "tesseract-ocr-spa" in (broken.problem() or "")


def test_a_missing_program_is_named_with_the_command_to_install_it() -> None:
    with pytest.raises(ModelUnavailable, match=r"Tesseract no está instalado \(apt-get install"):
        reader(binary="tesseract-that-is-not-here").load()
    assert tesseract_problem("tesseract-that-is-not-here") is not None
    assert tesseract_problem() is None
    assert {"spa", "eng"} <= find_tesseract().languages


async def test_health_is_down_and_says_what_is_missing(tmp_path: Path) -> None:
    result = await TextReaderProbe("ocr", reader(tessdata=str(tmp_path)), "local").check()
    assert result.status == "down" and "tesseract-ocr-spa" in (result.detail or "")
    healthy = await TextReaderProbe("ocr", reader(), "local", warming_up=False).check()
    assert healthy.status == "ok"


def test_config_check_lists_missing_tools_only_for_a_local_reader() -> None:
    def missing() -> str:
        return "Tesseract no está instalado"

    assert missing_tools(AiSettings(), tesseract=missing) == ["OCR_PROVIDER=local: Tesseract no está instalado"]
    assert missing_tools(AiSettings(ocr_provider=Provider.FAKE), tesseract=missing) == []
    assert missing_tools(AiSettings(), tesseract=lambda: None) == []


async def test_a_large_photo_is_read_shrunk_with_boxes_in_its_own_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ova.adapters.ai.local.ocr.PAGE_MAX_PIXELS", 300_000)
    page = notice(["PROHIBIDO FUMAR"], size=90, width=1400)
    read = await reader(use_detector=False).read(page, lang="es")
    assert read.text == "PROHIBIDO FUMAR"
    box = read.lines[0].box
    assert 40 <= box.x <= 80 and 30 <= box.y <= 70 and box.width > 600


@needs_detector
def test_the_lines_of_a_large_photo_are_found_on_a_shrunk_copy_in_the_photos_own_pixels() -> None:
    path = detector_file()
    assert path is not None
    detector = TextRegionDetector(path)
    inputs: list[tuple[int, ...]] = []
    session = detector._session
    detector._session = SimpleNamespace(  # type: ignore[assignment]
        run=lambda names, feed: inputs.append(next(iter(feed.values())).shape) or session.run(names, feed))
    photo = to_numpy_rgb(sign_in(as_rgb(Image.new("RGB", (2560, 1920), (60, 110, 60))), "SALIDA", at=(1200, 900),
                                 size=88, angle=0.0))
    regions = detector.find(photo)
    assert max(inputs[0][2:]) <= MAX_SIDE
    assert len(regions) == 1
    box = regions[0].box
    assert 1200 <= box.x <= 1300 and 900 <= box.y <= 1000 and 300 <= box.width <= 600

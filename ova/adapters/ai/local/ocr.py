"""Printed text in photos (OCR) with Tesseract 5 (Debian's ``tesseract-ocr``, Apache-2.0), run as a
separate process that writes TSV (each word's line, box and confidence).

Tesseract reads the whole photo with automatic page segmentation (3): documents at 0-2 % character
error, nothing invented on photos without text, but most signs in busy photos missed. With the text
detector (``text_regions``, PP-OCRv4 det) the photo's lines are also found, cut out upright,
binarised and stacked on one white page that a second Tesseract run (on the other core, at the same
time) reads as a block (page segmentation 6); each such line's box is the region found in the photo.
The two readings are merged (``ocr_lines.merge``). Without the detector (the wheel that carries it is
not installed) only the whole page is read.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import structlog

from ova.adapters.ai.image_arrays import Pixels, to_numpy_rgb
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.local.ocr_install import (
    LANGUAGES,
    TesseractInstall,
    TesseractMissing,
    find_tesseract,
    tessdata_option,
    tesseract_environment,
)
from ova.adapters.ai.local.ocr_lines import Word, has_letter_or_digit, merge, parse_tsv, reading_order, to_lines
from ova.adapters.ai.local.text_regions import Region, Sheet, TextRegionDetector, detector_file, stack, straighten
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import InvalidInput, ModelUnavailable
from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import RgbImage

log = structlog.get_logger(__name__)

LINE_HEIGHT = 40
"""Pixels high each found line is scaled to before Tesseract reads it (text about 30 px high)."""
PAGE_MAX_PIXELS = 6_000_000
"""A larger photo is shrunk to this many pixels for the whole-page reading (a 12-Mpx phone photo of a
page still has letters ~20 px high at 6 Mpx; Tesseract's time grows with the pixels)."""
SHORT_REGION = 1.6
"""A found region less than this many times as long as it is high (grown around its text) holds a
character or two…"""
SHORT_REGION_CONFIDENCE = 0.9
"""…and its words are kept only when Tesseract is at least this sure of them. The detector also fires on
round blobs (leaves, stones, a shadow) that Tesseract, given one to read as a line, reads as a letter or
two, mostly with middling confidence; a real short word ("27", "WC") on its own reads far surer. A
four-letter word ("cero") is already about 1.8 times as long as high."""
WHOLE_PAGE_PSM = "3"
STACKED_LINES_PSM = "6"


def tesseract_languages(lang: str) -> str:
    """``es`` → ``spa+eng``, ``en`` → ``eng+spa``: the asked-for language first, the other too (Spanish
    signs carry English words); ``InvalidInput`` for a language ova does not read."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"Idioma no disponible: {lang!r}. Idiomas disponibles: {', '.join(LANGUAGES)}.",
                           field="lang")
    return "+".join([LANGUAGES[lang], *(code for key, code in LANGUAGES.items() if key != lang)])


class TesseractReader:
    """A ``TextReader``. ``min_confidence`` (0 to 1): words Tesseract is less sure of are dropped.
    ``locate_detector``: gives the text detector's verified file (default: the installed wheel's);
    when it is missing only the whole page is read (``model`` says so). ``use_detector=False``: whole
    page only. ``tessdata``: Tesseract's language folder (default: its own)."""

    def __init__(
        self,
        *,
        pool: InferencePool,
        min_confidence: float = 0.6,
        timeout_s: float = 20.0,
        binary: str = "tesseract",
        tessdata: str | None = None,
        locate_detector: Callable[[], Path] | None = None,
        use_detector: bool = True,
    ) -> None:
        self._pool = pool
        self._min_confidence = min_confidence
        self._timeout_s = timeout_s
        self._binary = binary
        self._tessdata = tessdata
        self._locate_detector = locate_detector
        self._use_detector = use_detector
        self._install: Lazy[TesseractInstall] = Lazy(self._find)
        self._detector: Lazy[TextRegionDetector | None] = Lazy(self._load_detector)

    @property
    def model(self) -> str:
        return "tesseract 5 + PP-OCRv4 det" if self._detector.loaded and self._detector.get() else "tesseract 5"

    @property
    def loaded(self) -> bool:
        return self._install.loaded and self._detector.loaded

    def load(self) -> None:
        """Finds Tesseract and its languages (``ModelUnavailable`` naming what to install) and loads the detector."""
        self._install.load()
        self._detector.load()

    def problem(self) -> str | None:
        """What is missing to read text here (``None``: nothing), for the health report; checked again each call."""
        try:
            find_tesseract(self._binary, self._tessdata)
        except TesseractMissing as missing:
            return str(missing)
        return None

    async def read(self, image: RgbImage, *, lang: str) -> ReadText:
        languages = tesseract_languages(lang)
        return await self._pool.run(lambda: self.read_now(image, languages=languages))

    def read_now(self, image: RgbImage, *, languages: str) -> ReadText:
        self.load()
        rgb = to_numpy_rgb(image)
        detector = self._detector.get()
        if detector is None:
            return ReadText(tuple(self._read_page(rgb, languages)))
        with ThreadPoolExecutor(1) as beside:  # the whole page is read on another core meanwhile
            whole = beside.submit(self._read_page, rgb, languages)
            found = self._read_regions(detector, rgb, languages)
            page = whole.result()
        return ReadText(tuple(merge(page, found)))

    def _read_page(self, rgb: Pixels, languages: str) -> list[TextLine]:
        height, width = rgb.shape[:2]
        scale = min(1.0, (PAGE_MAX_PIXELS / (width * height)) ** 0.5)
        shrunk = rgb if scale == 1.0 else np.asarray(cv2.resize(
            rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA),
            dtype=np.uint8)
        words = parse_tsv(self._tesseract(shrunk, languages, WHOLE_PAGE_PSM))
        return to_lines(words, min_confidence=self._min_confidence, scale=scale, width=width, height=height)

    def _read_regions(self, detector: TextRegionDetector, rgb: Pixels, languages: str) -> list[TextLine]:
        regions = detector.find(rgb)
        if not regions:
            return []
        sheet = stack([straighten(rgb, region, LINE_HEIGHT) for region in regions], LINE_HEIGHT)
        words = parse_tsv(self._tesseract(sheet.pixels, languages, STACKED_LINES_PSM))
        return _region_lines(regions, words_by_region(words, sheet, regions, min_confidence=self._min_confidence))

    def _tesseract(self, pixels: Pixels, languages: str, psm: str) -> str:
        install = self._install.get()
        ok, png = cv2.imencode(".png", pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR))
        if not ok:
            raise ModelUnavailable("No se pudo preparar la imagen para Tesseract.")
        try:
            command = [install.path, "stdin", "stdout", *tessdata_option(self._tessdata), "-l", languages,
                       "--psm", psm, "tsv"]
            done = subprocess.run(  # noqa: S603 (our own arguments, no shell; the image goes on stdin)
                command,
                input=png.tobytes(), capture_output=True, timeout=self._timeout_s, check=False,
                env=tesseract_environment(),
            )
        except subprocess.TimeoutExpired as error:
            raise ModelUnavailable("Tesseract tardó demasiado en leer la imagen.") from error
        except OSError as error:
            raise ModelUnavailable(f"No se pudo ejecutar Tesseract: {error}") from error
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ModelUnavailable(f"Tesseract no pudo leer la imagen: {message[-1] if message else done.returncode}")
        return done.stdout.decode("utf-8", "replace")

    def _find(self) -> TesseractInstall:
        try:
            return find_tesseract(self._binary, self._tessdata, self._timeout_s)
        except TesseractMissing as missing:
            raise ModelUnavailable(str(missing)) from missing

    def _load_detector(self) -> TextRegionDetector | None:
        if not self._use_detector:
            return None
        if self._locate_detector is None:
            path = detector_file()
        else:
            try:
                path = self._locate_detector()
            except ModelUnavailable as missing:
                log.warning("text detector unavailable: reading whole pages only", reason=missing.detail)
                return None
        return TextRegionDetector(path) if path is not None else None


def words_by_region(words: list[Word], sheet: Sheet, regions: list[Region], *,
                    min_confidence: float) -> dict[int, list[Word]]:
    """The words read on ``sheet``, by the index of the region each was cut from: those at or above
    ``min_confidence`` (0 to 1), and in a short region (``SHORT_REGION``) at or above ``SHORT_REGION_CONFIDENCE``."""
    needed = [max(min_confidence, SHORT_REGION_CONFIDENCE) if region.elongation() < SHORT_REGION
              else min_confidence for region in regions]
    by_region: dict[int, list[Word]] = {}
    for word in words:
        index = sheet.line_at(word.top + word.height / 2)
        if 0 <= index < len(regions) and word.confidence / 100 >= needed[index]:
            by_region.setdefault(index, []).append(word)
    return by_region


def _region_lines(regions: list[Region], by_region: dict[int, list[Word]]) -> list[TextLine]:
    """One line per region with confident words: its words in order, their mean confidence, the region's box."""
    lines = []
    for index in by_region:
        words = sorted(by_region[index], key=lambda word: word.left)
        text = " ".join(word.text for word in words)
        if has_letter_or_digit(text):
            confidence = round(min(1.0, sum(word.confidence for word in words) / len(words) / 100), 4)
            lines.append(TextLine(text=text, confidence=confidence, box=regions[index].box))
    return reading_order(lines)

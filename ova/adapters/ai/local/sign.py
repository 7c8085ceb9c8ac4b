"""ASL letters from a photo: MediaPipe finds the hand's 21 landmarks, a small classifier names the letter.

MediaPipe's legacy ``solutions.hands`` graph is not thread-safe, so the ``Hands`` objects are built
per recognizer and their ``process`` calls are serialised by a lock; the classifiers are plain numpy
and need none. ``hand_finder`` looks again (padded, mirrored, the small model) when the first look
finds no hand, within ``ASL_TIME_BUDGET_MS`` per photo. When two hands are found the larger one (in
pixels) is read.

The classifiers were trained on right hands photographed from the front, unmirrored, which
MediaPipe labels "Left" (its labels assume a mirrored selfie image). A hand labelled "Right" is
therefore mirrored before classification, so a left-handed signer, or a mirrored selfie, gets the
same letter as the training photos would.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ova.adapters.ai.local.asl_classifiers import CLASSIFIERS, FloatArray, LandmarkClassifier
from ova.adapters.ai.local.hand_finder import Detection, Detector, FoundHand, HandFinder, UInt8Array
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.pool import InferencePool
from ova.domain.vision import LabelScore, RgbImage, SignModelInfo, SignPrediction

_ALTERNATIVES = 3
_NO_HAND = SignPrediction(letter=None, confidence=0.0, alternatives=(), hand_detected=False)
# The finder's detectors: model complexity and detection threshold (``python -m bench.asl.extract``).
DETECTORS = {"full": (1, 0.05), "lite": (0, 0.3)}


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def mediapipe_detector(threshold: float, *, max_num_hands: int = 2, model_complexity: int = 1) -> Detector:
    """MediaPipe Hands on still photos, hands found at ``threshold`` or above."""
    hands_module: Any = importlib.import_module("mediapipe.python.solutions.hands")
    hands = hands_module.Hands(
        static_image_mode=True,
        max_num_hands=max_num_hands,
        min_detection_confidence=threshold,
        model_complexity=model_complexity,
    )

    def detect(pixels: UInt8Array) -> Detection:
        results = hands.process(pixels)
        found = results.multi_hand_landmarks or []
        return [
            (_landmarks(lm), hd.classification[0].label)
            for lm, hd in zip(found, results.multi_handedness or [], strict=True)
        ]

    return detect


def mediapipe_detectors(max_num_hands: int = 2) -> dict[str, Detector]:
    """The finder's detectors (``DETECTORS``), by name."""
    return {
        name: mediapipe_detector(threshold, max_num_hands=max_num_hands, model_complexity=complexity)
        for name, (complexity, threshold) in DETECTORS.items()
    }


def largest_hand(hands: Sequence[FoundHand], shape: tuple[int, ...]) -> FoundHand:
    """The hand that covers most pixels of a photo of ``shape`` (height, width, …)."""
    return max(hands, key=lambda hand: _area(hand.landmarks, (shape[1], shape[0])))


class MediapipeSignRecognizer:
    def __init__(
        self,
        *,
        pool: InferencePool,
        classifier: str = "ova-letters",
        max_num_hands: int = 2,
        time_budget_ms: float = 50.0,
    ) -> None:
        if classifier not in CLASSIFIERS:
            raise ValueError(f"unknown ASL classifier {classifier!r}; choose one of {sorted(CLASSIFIERS)}")
        self._pool = pool
        self._classifier_type = CLASSIFIERS[classifier]
        self._max_num_hands = max_num_hands
        self._time_budget_ms = time_budget_ms
        self._mediapipe_version = _version("mediapipe")
        self._process_lock = threading.Lock()
        self._parts = Lazy(self._build)

    @property
    def info(self) -> SignModelInfo:
        kind = self._classifier_type
        return SignModelInfo(
            name=f"mediapipe-hands+{kind.name}",
            provider="local",
            labels=kind.LABELS,
            input="photo (RGB), 1 hand, MediaPipe 21 landmarks",
            version=f"mediapipe {self._mediapipe_version}, {kind.name} {kind.version}",
        )

    @property
    def loaded(self) -> bool:
        return self._parts.loaded

    def load(self) -> None:
        self._parts.load()

    def _build(self) -> tuple[HandFinder, LandmarkClassifier]:
        """The hand finder (its MediaPipe detectors, within the time budget) and the landmark classifier."""
        detectors = mediapipe_detectors(self._max_num_hands)
        blank = np.zeros((64, 64, 3), np.uint8)
        for detect in detectors.values():  # a detector's first call builds its graph: no photo should wait
            detect(blank)
        return HandFinder(detectors, budget_ms=self._time_budget_ms), self._classifier_type()

    async def recognize(self, image: RgbImage) -> SignPrediction:
        return await self._pool.run(lambda: self._recognize(image))

    def _recognize(self, image: RgbImage) -> SignPrediction:
        finder, classifier = self._parts.get()
        pixels = np.frombuffer(image.pixels, np.uint8).reshape(image.height, image.width, 3)
        with self._process_lock:
            found = finder.find(pixels)
        if not found:
            return _NO_HAND
        hand = largest_hand(found, pixels.shape)
        landmarks = hand.landmarks.copy()
        if hand.handedness == "Right":
            landmarks[:, 0] = 1.0 - landmarks[:, 0]
        probabilities = classifier.predict(landmarks, (image.width, image.height))
        return _prediction(classifier.labels, probabilities)


def _landmarks(hand: Any) -> FloatArray:
    return np.array([[p.x, p.y, p.z] for p in hand.landmark], dtype=np.float32)


def _area(landmarks: FloatArray, size: tuple[int, int]) -> float:
    extent = (landmarks[:, :2].max(axis=0) - landmarks[:, :2].min(axis=0)) * np.array(size, dtype=np.float32)
    return float(extent[0] * extent[1])


def _prediction(labels: tuple[str, ...], probabilities: FloatArray) -> SignPrediction:
    order = np.argsort(-probabilities, kind="stable")
    best, *rest = (LabelScore(labels[i], min(max(float(probabilities[i]), 0.0), 1.0)) for i in order)
    return SignPrediction(
        letter=best.label,
        confidence=best.confidence,
        alternatives=tuple(rest[:_ALTERNATIVES]),
        hand_detected=True,
    )

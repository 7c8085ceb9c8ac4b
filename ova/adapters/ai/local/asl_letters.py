"""ova's own ASL letter classifier: a small MLP over ``asl_features``, weights in a numpy file.

Trained by ``python -m bench.asl.train`` on the public-domain photos of ``../shared/data/asl-train``
(the model card, ``docs/asl-model-card.md``, says on what, how, and how well). Its output is divided
by a temperature fitted on held-out photos before the softmax, so a confidence of 0.9 is right about
nine times in ten. It knows the 24 static letters: J and Z are movements, which one photo cannot show.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from attrs import frozen

from ova.adapters.ai.local.asl_features import FloatArray, hand_features

WEIGHTS = Path(__file__).with_name("weights") / "asl-letters.npz"


@frozen
class Weights:
    labels: tuple[str, ...]
    mean: FloatArray
    scale: FloatArray
    layers: tuple[tuple[FloatArray, FloatArray], ...]
    temperature: float

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {
            "labels": np.array(self.labels),
            "mean": self.mean,
            "scale": self.scale,
            "temperature": np.array(self.temperature, np.float32),
        }
        for i, (w, b) in enumerate(self.layers):
            arrays[f"w{i}"], arrays[f"b{i}"] = w, b
        with path.open("wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path: Path) -> Weights:
        with np.load(path, allow_pickle=False) as data:
            count = sum(1 for key in data.files if key.startswith("w"))
            return cls(
                labels=tuple(str(label) for label in data["labels"]),
                mean=data["mean"],
                scale=data["scale"],
                layers=tuple((data[f"w{i}"], data[f"b{i}"]) for i in range(count)),
                temperature=float(data["temperature"]),
            )


def logits(weights: Weights, features: FloatArray) -> FloatArray:
    """The network's raw scores (before the temperature) for one feature vector or a batch of them."""
    x = (np.asarray(features, np.float32) - weights.mean) / weights.scale
    last = len(weights.layers) - 1
    for i, (w, b) in enumerate(weights.layers):
        x = x @ w + b
        if i < last:
            x = np.maximum(x, 0)
    result: FloatArray = x.astype(np.float32)
    return result


def calibrated(weights: Weights, raw: FloatArray) -> FloatArray:
    """Probabilities from raw scores: softmax of the scores divided by the fitted temperature."""
    z = np.asarray(raw, np.float64) / weights.temperature
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    result: FloatArray = (z / z.sum(axis=-1, keepdims=True)).astype(np.float32)
    return result


class OvaLetterMlp:
    """The ``LandmarkClassifier`` ``ova-letters`` (``ASL_LOCAL_MODEL``)."""

    name = "ova-letters"
    version = "1"
    LABELS = tuple("ABCDEFGHIKLMNOPQRSTUVWXY")

    def __init__(self, path: Path = WEIGHTS) -> None:
        self._weights = Weights.load(path)
        if self._weights.labels != self.LABELS:
            raise ValueError(f"{path}: the weights are not for the letters {''.join(self.LABELS)}")
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()

    @property
    def labels(self) -> tuple[str, ...]:
        return self._weights.labels

    def predict(self, landmarks: FloatArray, image_size: tuple[int, int]) -> FloatArray:
        return calibrated(self._weights, logits(self._weights, hand_features(landmarks, image_size)))

"""Two ASL letter classifiers over MediaPipe's 21 hand landmarks, run in numpy.

Both take the landmarks as MediaPipe returns them for one hand (x and y in 0..1 of the image width
and height, z in the same scale as x) of a **right hand seen from the front, not mirrored** (what
their training photos show: the caller mirrors left hands first), and answer a probability for each
of their ``labels``: uppercase letters only. Digits, ``Nothing``, ``del`` and ``space`` are dropped
and the letters renormalised, i.e. the answer is P(letter | the hand shows a letter), which is what
the ASL endpoint asks. See docs/asl-models.md for the measurements behind these choices.

Both models were trained on photos in which the hand fills most of a roughly square frame. A photo
from a user is rarely like that, so the landmarks are first **reframed**: the hand's bounding box
(in pixels, so the aspect ratio is right) is moved and scaled to where the training hands sit. That
makes the answer independent of where, and how large, the hand is in the photo.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ova.adapters.ai.local.asl_letters import OvaLetterMlp
from ova.adapters.ai.local.torch_weights import load_state_dict

FloatArray = np.ndarray[Any, np.dtype[np.float32]]

# Where the hands of the smart-gestures training rows sit in their (normalised) images: centre of
# the landmarks' bounding box and its longer side (mean over the 1,958 rows; std 0.03 and 0.07).
_TRAINING_CENTRE = (0.494, 0.415)
_TRAINING_SIDE = 0.757


class LandmarkClassifier(Protocol):
    name: str
    version: str

    @property
    def labels(self) -> tuple[str, ...]: ...

    def predict(self, landmarks: FloatArray, image_size: tuple[int, int]) -> FloatArray:
        """Probabilities (summing to 1) for ``labels``; ``landmarks`` is (21, 3), ``image_size`` is (width, height)."""
        ...


def reframe(landmarks: FloatArray, image_size: tuple[int, int]) -> FloatArray:
    """The landmarks as if the photo were a square crop with the hand where the training hands are."""
    width, height = image_size
    pixels = np.asarray(landmarks, dtype=np.float32) * np.array([width, height, width], dtype=np.float32)
    low, high = pixels[:, :2].min(axis=0), pixels[:, :2].max(axis=0)
    side = max(float((high - low).max()), 1e-6)
    out = (pixels - np.append((low + high) / 2, 0.0)) * (_TRAINING_SIDE / side)
    out[:, 0] += _TRAINING_CENTRE[0]
    out[:, 1] += _TRAINING_CENTRE[1]
    result: FloatArray = out.astype(np.float32)
    return result


def _softmax(logits: FloatArray) -> FloatArray:
    shifted = np.exp(logits - logits.max())
    result: FloatArray = (shifted / shifted.sum()).astype(np.float32)
    return result


def _letters_only(probabilities: FloatArray, columns: list[int]) -> FloatArray:
    kept = probabilities[columns]
    total = float(kept.sum())
    result: FloatArray = (kept / total if total > 0 else np.full(len(columns), 1 / len(columns))).astype(np.float32)
    return result


def _package_dir(package: str) -> Path:
    """A package's folder, found without importing it (these packages import torch or tensorflow)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class SmartGesturesMlp:
    """``smart-gestures==0.3.3`` (GPL-3.0-or-later): an MLP 63→256→256→35 on raw landmark coordinates.

    Its package's own ``predict()`` normalises the landmarks first, which its weights were not
    trained on; this feeds them raw (reframed), as in training. It has no Q.
    """

    name = "smart-gestures"
    version = "0.3.3"
    LABELS = tuple("ABCDEFGHIJKLMNOPRSTUVWXYZ")

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or _package_dir("smart_gestures") / "alphabet" / "asl_model"
        weights = load_state_dict(folder / "models" / "asl_alphabet_model.pth")
        self._layers = [(weights[f"{i}.weight"].T.copy(), weights[f"{i}.bias"]) for i in (0, 3, 6)]
        classes = json.loads((folder / "data" / "classes.json").read_text())
        self._columns = [i for i, c in enumerate(classes) if len(c) == 1 and c.isalpha()]
        if tuple(classes[i].upper() for i in self._columns) != self.LABELS:
            raise ValueError(f"{folder}: classes.json does not list the expected letters")

    @property
    def labels(self) -> tuple[str, ...]:
        return self.LABELS

    def predict(self, landmarks: FloatArray, image_size: tuple[int, int]) -> FloatArray:
        x = reframe(landmarks, image_size).reshape(63)
        for i, (weight, bias) in enumerate(self._layers):
            x = x @ weight + bias
            if i < len(self._layers) - 1:
                x = np.maximum(x, 0)
        return _letters_only(_softmax(x), self._columns)


# recognize.py's hard-coded table; output 38 has no name there and is dropped with the non-letters.
_ALPNUM_LABELS = ("1", "10", *"23456789", "A", "B", "Nothing", *"CDEFGHIJKLMNOPQRSTUVWXYZ", "del", "?", "space")


class AslAlpnumMlp:
    """``ASL-Alpnum-Recognizer==0.6`` (MIT): a Keras MLP 63→128→68→68→40, read with h5py.

    Its input is cvzone's integer pixel landmarks ``(int(x*w), int(y*h), int(z*w))``; the reframed
    landmarks are expressed in a 224×224 frame, the size that scored best across datasets.
    """

    name = "asl-alpnum"
    version = "0.6"
    LABELS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    frame = 224

    def __init__(self, path: Path | None = None) -> None:
        h5py: Any = importlib.import_module("h5py")  # only this classifier needs it; it has no type hints

        path = path or _package_dir("ASL_alnum_recognizer") / "models" / "signLanguageDetectoralpnum.h5"
        with h5py.File(path, "r") as file:
            group = file["model_weights"]
            dense = sorted((name for name in group if name.startswith("dense_")), key=lambda n: int(n.split("_")[1]))
            self._layers: list[tuple[FloatArray, FloatArray]] = []
            for name in dense:
                (inner,) = group[name].values()
                self._layers.append((np.asarray(inner[name]["kernel"]), np.asarray(inner[name]["bias"])))
        if [w.shape for w, _ in self._layers] != [(63, 128), (128, 68), (68, 68), (68, 40)]:
            raise ValueError(f"{path}: unexpected layer shapes")
        self._columns = [i for i, c in enumerate(_ALPNUM_LABELS) if len(c) == 1 and c.isalpha()]

    @property
    def labels(self) -> tuple[str, ...]:
        return self.LABELS

    def predict(self, landmarks: FloatArray, image_size: tuple[int, int]) -> FloatArray:
        x = np.trunc(reframe(landmarks, image_size) * self.frame).reshape(63)
        for i, (weight, bias) in enumerate(self._layers):
            x = x @ weight + bias
            if i < len(self._layers) - 1:
                x = np.maximum(x, 0)
        return _letters_only(_softmax(x.astype(np.float32)), self._columns)


CLASSIFIERS: dict[str, type[OvaLetterMlp] | type[SmartGesturesMlp] | type[AslAlpnumMlp]] = {
    OvaLetterMlp.name: OvaLetterMlp,
    SmartGesturesMlp.name: SmartGesturesMlp,
    AslAlpnumMlp.name: AslAlpnumMlp,
}

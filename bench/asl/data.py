"""The training photos' labels and landmarks, and folds grouped by original photo."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from attrs import frozen

from ova.adapters.ai.local.asl_features import FloatArray, in_pixels

REPO = Path(__file__).resolve().parents[2]
# The shared training photos (public domain, see their README), beside the repository.
PHOTOS = Path(os.environ.get("OVA_ASL_TRAIN", REPO.parent / "shared" / "data" / "asl-train" / "roboflow_asl_letters"))
# The landmarks of those photos as ova's hand finder sees them (``python -m bench.asl.extract``).
LANDMARKS = REPO / "bench" / "data" / "asl" / "landmarks.csv"
STATIC_LETTERS = tuple("ABCDEFGHIKLMNOPQRSTUVWXY")  # J and Z move: one photo cannot show them


@frozen
class Photo:
    file: str
    letter: str
    box: tuple[float, float, float, float]  # the dataset's hand box: centre x, centre y, width, height (0..1)


@frozen
class Hand:
    """One photo's hand as found: MediaPipe's normalised landmarks, already mirrored to a right hand,
    and the photo's size (width, height)."""

    file: str
    letter: str
    landmarks: FloatArray
    size: tuple[int, int]
    how: str  # which look of the hand finder found it

    @property
    def points(self) -> FloatArray:
        """The landmarks in pixels."""
        return in_pixels(self.landmarks, self.size)


def photos(folder: Path = PHOTOS) -> list[Photo]:
    with (folder / "labels.csv").open(newline="") as f:
        return [
            Photo(row["file"], row["letter"], tuple(float(row[k]) for k in ("bbox_cx", "bbox_cy", "bbox_w", "bbox_h")))  # type: ignore[arg-type]
            for row in csv.DictReader(f)
        ]


def read_hands(path: Path = LANDMARKS, letters: Sequence[str] = STATIC_LETTERS) -> list[Hand]:
    """The found hands of the static letters, in file order. Rows carry normalised landmarks, the image
    size and whether the hand was mirrored."""
    hands = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["letter"] not in letters:
                continue
            raw = np.array([float(row[f"{a}{i}"]) for i in range(21) for a in "xyz"], np.float32).reshape(21, 3)
            hands.append(Hand(row["file"], row["letter"], raw, (int(row["width"]), int(row["height"])), row["how"]))
    return hands


def grouped_folds(groups: Sequence[str], labels: Sequence[str], k: int, seed: int) -> list[np.ndarray]:
    """``k`` folds of indices; every index of one group lands in the same fold, and each letter's groups
    are dealt round the folds in a seeded order, so every fold holds about 1/k of each letter."""
    rng = np.random.default_rng(seed)
    by_letter: dict[str, list[str]] = {}
    for group, label in zip(groups, labels, strict=True):
        members = by_letter.setdefault(label, [])
        if group not in members:
            members.append(group)
    fold_of: dict[str, int] = {}
    start = 0
    for label in sorted(by_letter):
        members = sorted(by_letter[label])
        for j, i in enumerate(rng.permutation(len(members))):
            fold_of[members[i]] = (start + j) % k
        start += len(members)
    assigned = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(assigned == f) for f in range(k)]

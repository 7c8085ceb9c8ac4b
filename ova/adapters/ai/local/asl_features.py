"""What ova's own ASL letter classifier sees of a hand: a description that does not depend on where
the hand is in the photo, how big it is, or which hand signs.

The input is MediaPipe's 21 landmarks of one hand (x and y in 0..1 of the image width and height, z
in the scale of x), already mirrored to the chirality of a right hand seen palm-first in an
unmirrored photo (the caller does that from MediaPipe's handedness label). The landmarks are put in
pixels (so a wide photo does not squash the hand), moved so the wrist is the origin and divided by
the palm's size (wrist to the base of the middle finger, and across the knuckles). In-plane rotation
is *kept*: H is U lying down and P is K pointing down, so which way the hand points is part of the
letter. To that the description adds the bend of every finger joint (the cosine of the angle between
its two bones) and the distances between fingertips and from each tip to the thumb's tip, which do
not change when the hand turns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float32]]

WRIST = 0
# The joints of each finger from the wrist out: thumb, index, middle, ring, little.
FINGERS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
TIPS = (4, 8, 12, 16, 20)
_KNUCKLES = (5, 17)
_MIDDLE_BASE = 9

# (a, b, c): the angle at b between the bones b→a and b→c; the wrist starts every finger.
_JOINTS = tuple(
    (chain[i - 1], chain[i], chain[i + 1])
    for finger in FINGERS
    for chain in [(WRIST, *finger)]
    for i in range(1, len(chain) - 1)
)
_TIP_PAIRS = tuple((a, b) for i, a in enumerate(TIPS) for b in TIPS[i + 1:])
# Between neighbouring finger bases and tips: how far the fingers are spread (V against U, W).
_SPREAD = ((6, 10), (10, 14), (14, 18), (8, 12), (12, 16), (16, 20))

FEATURE_COUNT = 63 + len(_JOINTS) + len(_TIP_PAIRS) + len(_SPREAD)


def in_pixels(landmarks: FloatArray, image_size: tuple[int, int]) -> FloatArray:
    """Landmarks in pixels: x and z times the width, y times the height."""
    width, height = image_size
    result: FloatArray = (np.asarray(landmarks, dtype=np.float32) * np.array([width, height, width], np.float32))
    return result


def palm_size(points: FloatArray) -> float:
    """The hand's scale: the mean of wrist-to-middle-base and index-base-to-little-base lengths."""
    along = float(np.linalg.norm(points[_MIDDLE_BASE] - points[WRIST]))
    across = float(np.linalg.norm(points[_KNUCKLES[0]] - points[_KNUCKLES[1]]))
    return max((along + across) / 2, 1e-6)


def describe_hand(points: FloatArray) -> FloatArray:
    """The feature vector of one hand given in pixels (``in_pixels``), ``FEATURE_COUNT`` numbers."""
    points = np.asarray(points, dtype=np.float32)
    centred = (points - points[WRIST]) / palm_size(points)
    first = centred[[a for a, _, _ in _JOINTS]] - centred[[b for _, b, _ in _JOINTS]]
    second = centred[[c for _, _, c in _JOINTS]] - centred[[b for _, b, _ in _JOINTS]]
    norms = np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1)
    bends = np.einsum("ij,ij->i", first, second) / np.maximum(norms, 1e-6)
    tips = np.linalg.norm(centred[[a for a, _ in _TIP_PAIRS]] - centred[[b for _, b in _TIP_PAIRS]], axis=1)
    spread = np.linalg.norm(centred[[a for a, _ in _SPREAD]] - centred[[b for _, b in _SPREAD]], axis=1)
    result: FloatArray = np.concatenate([centred.reshape(-1), bends, tips, spread]).astype(np.float32)
    return result


def hand_features(landmarks: FloatArray, image_size: tuple[int, int]) -> FloatArray:
    """``describe_hand`` of MediaPipe's normalised landmarks of a photo ``image_size`` (width, height)."""
    return describe_hand(in_pixels(landmarks, image_size))

"""More hands from few: each training hand turned, tilted, stretched and shaken a little.

The photos ova receives show a hand at other angles, from cameras with other lenses, found by
MediaPipe with a few pixels of error; copies made this way teach the classifier that none of that
changes the letter. Only training hands are copied, so no copy of a test photo is ever learned.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from ova.adapters.ai.local.asl_features import WRIST, FloatArray, palm_size


@frozen
class Augmentation:
    roll_deg: float = 15.0  # in the image plane
    tilt_deg: float = 20.0  # about the image's x and y axes (the hand seen from a little above, aside)
    stretch: float = 0.12  # width and height scaled independently by 1 ± this
    jitter: float = 0.02  # Gaussian noise on every coordinate, as a share of the palm's size
    mirror: float = 0.0  # the share of copies mirrored (a hand MediaPipe called the wrong side)


def _rotation(axis: int, angle: float) -> FloatArray:
    c, s = np.cos(angle), np.sin(angle)
    i, j = [a for a in range(3) if a != axis]
    m = np.eye(3, dtype=np.float32)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def copies(points: FloatArray, n: int, rng: np.random.Generator, how: Augmentation) -> list[FloatArray]:
    """``n`` changed copies of one hand given in pixels."""
    wrist = points[WRIST]
    size = palm_size(points)
    out = []
    for _ in range(n):
        p = points - wrist
        angles = np.radians(rng.uniform(-1, 1, 3) * (how.tilt_deg, how.tilt_deg, how.roll_deg))
        p = p @ (_rotation(0, angles[0]) @ _rotation(1, angles[1]) @ _rotation(2, angles[2])).T
        p = p * np.array([*(1 + rng.uniform(-how.stretch, how.stretch, 2)), 1.0], np.float32)
        p = p + rng.normal(0.0, how.jitter * size, p.shape)
        if rng.random() < how.mirror:
            p[:, 0] = -p[:, 0]
        out.append((p + wrist).astype(np.float32))
    return out

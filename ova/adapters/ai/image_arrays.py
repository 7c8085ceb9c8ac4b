"""``RgbImage`` as numpy arrays for the local models, and boxes kept inside the picture."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ova.domain.vision import Box, RgbImage

Pixels = npt.NDArray[np.uint8]


def to_numpy_rgb(image: RgbImage) -> Pixels:
    """A read-only ``(height, width, 3)`` view of the image's bytes: nothing is copied."""
    return np.frombuffer(image.pixels, dtype=np.uint8).reshape(image.height, image.width, 3)


def clip_box(x: int, y: int, width: int, height: int, image: RgbImage) -> Box | None:
    """The part of the box inside the image, or ``None`` if nothing of it is."""
    left, top = max(0, x), max(0, y)
    right, bottom = min(image.width, x + width), min(image.height, y + height)
    if right <= left or bottom <= top:
        return None
    return Box(x=left, y=top, width=right - left, height=bottom - top)

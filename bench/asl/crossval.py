"""Cross-validation grouped by original photo: train on k-1 folds (augmented), test on the last.

Every photo of the set is one original (see the data's README), so a fold holds whole photos and
the augmented copies of a training photo never meet its test fold. The temperature that calibrates
a fold's confidences is fitted on the *other* folds' held-out answers (cross-fitting), so the
calibration is checked on photos it never saw either.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from attrs import field, frozen

from bench.asl.augment import Augmentation, copies
from bench.asl.data import Hand, grouped_folds
from bench.asl.mlp import Shape, fit, fit_temperature, predict_logits
from ova.adapters.ai.local.asl_features import describe_hand
from ova.adapters.ai.local.asl_letters import Weights


@frozen
class Recipe:
    """Everything that decides the weights, besides the data and the seed."""

    shape: Shape = field(factory=Shape)
    augmentation: Augmentation = field(factory=Augmentation)
    copies: int = 20


@frozen
class HeldOut:
    """Each hand's held-out answer: raw scores (before any temperature), its fold, the true letter."""

    labels: tuple[str, ...]
    logits: np.ndarray
    truth: np.ndarray
    fold: np.ndarray

    def accuracy_by_fold(self) -> list[float]:
        right = self.logits.argmax(axis=1) == self.truth
        return [float(right[self.fold == f].mean()) for f in np.unique(self.fold)]

    def calibrated(self) -> np.ndarray:
        """Probabilities, each fold's with the temperature fitted on the other folds."""
        probabilities = np.zeros_like(self.logits)
        for f in np.unique(self.fold):
            mine = self.fold == f
            t = fit_temperature(self.logits[~mine], self.truth[~mine])
            z = self.logits[mine] / t
            z = np.exp(z - z.max(axis=1, keepdims=True))
            probabilities[mine] = z / z.sum(axis=1, keepdims=True)
        return probabilities


def training_set(
    hands: Sequence[Hand], labels: Sequence[str], recipe: Recipe, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    index = {label: i for i, label in enumerate(labels)}
    rows, truth = [], []
    for hand in hands:
        for points in [hand.points, *copies(hand.points, recipe.copies, rng, recipe.augmentation)]:
            rows.append(describe_hand(points))
            truth.append(index[hand.letter])
    return np.stack(rows), np.array(truth)


def train(hands: Sequence[Hand], labels: Sequence[str], recipe: Recipe, seed: int) -> Weights:
    x, y = training_set(hands, labels, recipe, seed)
    return fit(x, y, labels, recipe.shape, seed)


def cross_validate(
    hands: Sequence[Hand], labels: Sequence[str], recipe: Recipe, *, k: int = 5, seed: int = 0
) -> HeldOut:
    folds = grouped_folds([h.file for h in hands], [h.letter for h in hands], k, seed)
    index = {label: i for i, label in enumerate(labels)}
    logits = np.zeros((len(hands), len(labels)))
    fold_of = np.zeros(len(hands), int)
    for f, test in enumerate(folds):
        test_set = set(test.tolist())
        weights = train([h for i, h in enumerate(hands) if i not in test_set], labels, recipe, seed + f)
        logits[test] = predict_logits(weights, np.stack([describe_hand(hands[i].points) for i in test]))
        fold_of[test] = f
    return HeldOut(tuple(labels), logits, np.array([index[h.letter] for h in hands]), fold_of)

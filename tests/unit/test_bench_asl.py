"""The training of ova's letter classifier: folds that keep a photo whole, same seed same bytes,
a temperature that undoes over-confidence, weights that round-trip; the replay of the finder's budget."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from bench.asl.augment import Augmentation, copies
from bench.asl.budget import Measured, run
from bench.asl.crossval import Recipe, cross_validate, train
from bench.asl.data import Hand, grouped_folds
from bench.asl.mlp import Shape, fit_temperature
from ova.adapters.ai.local.asl_letters import OvaLetterMlp, Weights, calibrated, logits


def _hands(per_letter: int = 6, letters: str = "ABC") -> list[Hand]:
    """Three made-up 'letters': hands whose fingers fan at different angles, with noise."""
    rng = np.random.default_rng(7)
    hands = []
    for k, letter in enumerate(letters):
        for n in range(per_letter):
            points = [[0.5, 0.8, 0.0]]
            for finger in range(5):
                angle = np.radians(-150 + finger * (20 + 15 * k))
                for joint in range(1, 5):
                    points.append([0.5 + 0.05 * joint * np.cos(angle), 0.8 + 0.05 * joint * np.sin(angle), 0.0])
            landmarks = np.array(points, np.float32) + rng.normal(0, 0.004, (21, 3)).astype(np.float32)
            hands.append(Hand(f"{letter}/{n}.jpg", letter, landmarks, (416, 416), "plain"))
    return hands


SMALL = Recipe(shape=Shape(hidden=(16,), epochs=3, batch=16), copies=2)


def test_folds_keep_every_photo_whole_and_share_out_every_letter() -> None:
    groups = [f"p{i // 2}" for i in range(40)]  # two rows per photo
    labels = ["A" if i < 20 else "B" for i in range(40)]

    folds = grouped_folds(groups, labels, 5, seed=3)

    assert sorted(np.concatenate(folds).tolist()) == list(range(40))
    for fold in folds:
        inside = {groups[i] for i in fold}
        assert all(groups[i] not in inside for other in folds if other is not fold for i in other)
        assert sorted(labels[i] for i in fold) == ["A"] * 4 + ["B"] * 4  # two photos of each, two rows each


def test_the_same_data_and_seed_give_the_same_bytes(tmp_path: Path) -> None:
    def trained(seed: int, name: str) -> str:
        path = tmp_path / name
        train(_hands(), "ABC", SMALL, seed).save(path)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert trained(0, "a.npz") == trained(0, "b.npz")
    assert trained(0, "a.npz") != trained(1, "c.npz")


def test_cross_validation_answers_every_hand_once_from_a_model_that_never_saw_it() -> None:
    hands = _hands()
    held = cross_validate(hands, "ABC", SMALL, k=3, seed=0)

    assert held.logits.shape == (18, 3)
    assert sorted(np.unique(held.fold).tolist()) == [0, 1, 2]
    for f in range(3):
        assert len({hands[i].file for i in np.flatnonzero(held.fold == f)}) == 6


def test_the_temperature_undoes_over_confidence() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 4000)
    honest = rng.normal(0, 1, (4000, 4))
    honest[np.arange(4000), truth] += 1.5
    # labels drawn from the honest probabilities, then the scores made five times too sure
    p = np.exp(honest) / np.exp(honest).sum(axis=1, keepdims=True)
    drawn = np.array([rng.choice(4, p=row) for row in p])

    assert fit_temperature(honest * 5, drawn) == pytest.approx(5, rel=0.15)


def test_weights_round_trip_and_refuse_other_letters(tmp_path: Path) -> None:
    weights = train(_hands(letters="ABC"), "ABC", SMALL, 0)
    path = tmp_path / "w.npz"
    weights.save(path)
    loaded = Weights.load(path)
    x = np.ones(weights.mean.shape, np.float32)

    np.testing.assert_array_equal(logits(loaded, x), logits(weights, x))
    assert loaded.labels == ("A", "B", "C")
    assert calibrated(loaded, logits(loaded, x)).sum() == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="not for the letters"):
        OvaLetterMlp(path)


def test_copies_keep_the_wrist_and_change_the_rest() -> None:
    hand = _hands()[0].points
    rng = np.random.default_rng(0)

    unchanged = copies(hand, 2, rng, Augmentation(roll_deg=0, tilt_deg=0, stretch=0, jitter=0))
    changed = copies(hand, 2, rng, Augmentation())

    np.testing.assert_allclose(unchanged[0], hand, atol=1e-4)
    assert all(np.abs(c - hand).max() > 0.5 for c in changed)


def test_the_budget_replay_skips_a_look_that_would_pass_the_budget_and_tries_a_cheaper_one() -> None:
    # three photos; looks: first (20 ms), slow (40 ms, finds photo 1), quick (10 ms, finds photo 2)
    found = np.array([[True, False, False], [False, True, False], [False, False, True]])
    measured = Measured(("first", "slow", "quick"), found, found.copy(), np.tile([20.0, 40.0, 10.0], (3, 1)))

    everything = run(measured, ("first", "slow", "quick"))
    within = run(measured, ("first", "slow", "quick"), budget_ms=50)

    assert everything[0].tolist() == [True, True, True] and everything[2].tolist() == [20, 60, 70]
    assert within[0].tolist() == [True, False, True] and within[2].tolist() == [20, 30, 30]

"""What ova's letter classifier sees of a hand does not depend on where, how big, or which way round."""

from __future__ import annotations

import numpy as np
import pytest

from ova.adapters.ai.local.asl_features import FEATURE_COUNT, describe_hand, hand_features, in_pixels


def _hand(seed: int = 1) -> np.ndarray:
    """A plausible hand in pixels: a wrist, five fingers of four joints fanning upwards, a little noise."""
    rng = np.random.default_rng(seed)
    points = [[200.0, 300.0, 0.0]]
    for finger, angle in enumerate(np.radians([-150, -110, -90, -75, -60])):
        for joint in range(1, 5):
            length = 40 + 25 * joint - 10 * (finger == 0)
            points.append([200 + length * np.cos(angle), 300 + length * np.sin(angle), -3.0 * joint])
    return np.array(points, np.float32) + rng.normal(0, 2, (21, 3)).astype(np.float32)


def test_the_description_has_the_documented_length() -> None:
    assert describe_hand(_hand()).shape == (FEATURE_COUNT,)


def test_moving_and_resizing_the_hand_changes_nothing() -> None:
    hand = _hand()
    moved = hand * 2.5 + np.array([300, -40, 0], np.float32)

    np.testing.assert_allclose(describe_hand(moved), describe_hand(hand), atol=1e-4)


def test_a_wide_photo_does_not_squash_the_hand() -> None:
    """The same hand in pixels, in a square and in a 16:9 photo: normalised coordinates differ, features do not."""
    hand = _hand()
    square = hand / np.array([640, 640, 640], np.float32)
    wide = hand / np.array([1280, 720, 1280], np.float32)

    np.testing.assert_allclose(hand_features(square, (640, 640)), hand_features(wide, (1280, 720)), atol=1e-4)
    np.testing.assert_allclose(in_pixels(wide, (1280, 720)), hand, atol=1e-3)


def test_turning_the_hand_keeps_its_bends_and_spreads_but_not_its_direction() -> None:
    hand = _hand()
    angle = np.radians(90)
    turn = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]], np.float32)
    turned = (hand - hand[0]) @ turn.T + hand[0]

    before, after = describe_hand(hand), describe_hand(turned)

    np.testing.assert_allclose(after[63:], before[63:], atol=1e-4)  # bends, tip distances, spreads
    assert np.abs(after[:63] - before[:63]).max() > 0.5  # H is U lying down: direction counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bends_are_cosines(seed: int) -> None:
    bends = describe_hand(_hand(seed))[63:78]

    assert np.all(bends >= -1.0001) and np.all(bends <= 1.0001)

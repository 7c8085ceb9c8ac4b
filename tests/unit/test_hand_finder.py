"""The hand finder looks again at changed copies of a photo and maps what it finds back to the photo."""

from __future__ import annotations

import numpy as np
import pytest

from ova.adapters.ai.local.hand_finder import LOOKS, Detection, Look, find_hands, look_at


def _photo(width: int = 200, height: int = 100, square: tuple[int, int, int, int] = (0, 20, 40, 60)) -> np.ndarray:
    """A dark photo with one white square (x0, y0, x1, y1): the 'hand'."""
    pixels = np.zeros((height, width, 3), np.uint8)
    x0, y0, x1, y1 = square
    pixels[y0:y1, x0:x1] = 255
    return pixels


def _corner_detector(*, needs_margin: bool = False, needs_left: bool = False):  # type: ignore[no-untyped-def]
    """A detector that 'finds' the white square: 21 landmarks spread over it (normalised to the image it
    is given), labelled "Left" when the square is in the image's left half. Like MediaPipe, it can
    miss a hand that touches the border (``needs_margin``), or one on the right (``needs_left``)."""
    calls: list[tuple[int, int]] = []

    def detect(pixels: np.ndarray) -> Detection:
        calls.append(pixels.shape[:2])
        ys, xs = np.nonzero(pixels[:, :, 0] > 128)
        if not len(xs):
            return []
        height, width = pixels.shape[:2]
        if needs_margin and (xs.min() == 0 or ys.min() == 0 or xs.max() == width - 1 or ys.max() == height - 1):
            return []
        centre = (xs.min() + xs.max() + 1) / 2 / width
        if needs_left and centre > 0.5:
            return []
        t = np.linspace(0, 1, 21, dtype=np.float32)
        landmarks = np.stack([(xs.min() + t * (xs.max() + 1 - xs.min())) / width,
                              (ys.min() + t * (ys.max() + 1 - ys.min())) / height,
                              t * 10 / width], axis=1).astype(np.float32)
        return [(landmarks, "Left" if centre < 0.5 else "Right")]

    detect.calls = calls  # type: ignore[attr-defined]
    return detect


def _expected(width: int, height: int, square: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = square
    t = np.linspace(0, 1, 21, dtype=np.float32)
    return np.stack([(x0 + t * (x1 - x0)) / width, (y0 + t * (y1 - y0)) / height, t * 10 / width], axis=1)


@pytest.mark.parametrize("look", LOOKS, ids=lambda look: look.name)
def test_every_look_maps_the_hand_back_to_the_photo(look: Look) -> None:
    square = (30, 20, 70, 60)
    photo = _photo(square=square)

    (hand,) = look_at(photo, look, _corner_detector())

    # a mirrored copy sees the square from the other side: its landmarks run the other way
    expected = _expected(200, 100, square)
    if look.mirror:
        expected[:, 0] = expected[::-1, 0]
    np.testing.assert_allclose(hand.landmarks[:, :2], expected[:, :2], atol=0.011)
    assert hand.look == look.name


def test_a_hand_touching_the_edge_is_found_on_the_padded_copy() -> None:
    square = (0, 20, 40, 60)
    detect = _corner_detector(needs_margin=True)

    hands = find_hands(_photo(square=square), {"full": detect, "lite": detect})

    assert [hand.look for hand in hands] == ["mirrored-padded"]
    expected = _expected(200, 100, square)
    expected[:, 0] = expected[::-1, 0]  # seen in the mirror, the landmarks run the other way
    np.testing.assert_allclose(hands[0].landmarks[:, :2], expected[:, :2], atol=0.011)


def test_a_hand_found_only_in_the_mirror_keeps_its_own_side() -> None:
    """On the right of the photo the square is labelled "Right"; seen in the mirror it is on the left
    ("Left"), so mapped back it must be "Right" again, at its own place."""
    square = (150, 20, 190, 60)
    detect = _corner_detector(needs_left=True)

    hands = find_hands(_photo(square=square), {"full": detect, "lite": detect})

    assert [(hand.look, hand.handedness) for hand in hands] == [("mirrored-padded", "Right")]
    assert abs(float(hands[0].landmarks[:, 0].mean()) - 170 / 200) < 0.01


def test_the_first_look_that_finds_a_hand_ends_the_search() -> None:
    detect = _corner_detector()

    find_hands(_photo(square=(30, 20, 70, 60)), {"full": detect, "lite": detect})

    assert detect.calls == [(100, 200)]  # type: ignore[attr-defined]


def test_a_photo_without_a_hand_is_looked_at_every_way_then_has_none() -> None:
    detect = _corner_detector()

    assert find_hands(np.zeros((100, 200, 3), np.uint8), {"full": detect, "lite": detect}) == []
    assert len(detect.calls) == len(LOOKS)  # type: ignore[attr-defined]


def test_an_enlarged_copy_maps_back_the_same() -> None:
    square = (30, 20, 70, 60)
    look = Look("enlarged", "full", pad=0.1, min_side=800)

    (hand,) = look_at(_photo(square=square), look, _corner_detector())

    np.testing.assert_allclose(hand.landmarks[:, :2], _expected(200, 100, square)[:, :2], atol=0.011)


def test_a_shrunk_copy_maps_back_the_same() -> None:
    square = (30, 20, 70, 60)
    look = Look("shrunk", "full", pad=0.5, mirror=True, max_side=150)
    detect = _corner_detector()

    (hand,) = look_at(_photo(square=square), look, detect)

    assert max(detect.calls[0]) == 150  # type: ignore[attr-defined]
    expected = _expected(200, 100, square)
    expected[:, 0] = expected[::-1, 0]
    np.testing.assert_allclose(hand.landmarks[:, :2], expected[:, :2], atol=0.02)


def test_the_padded_mirror_is_the_photo_flipped_inside_a_border_of_its_mean_colour() -> None:
    rng = np.random.default_rng(7)
    photo = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    seen: list[np.ndarray] = []

    def detect(pixels: np.ndarray) -> Detection:
        seen.append(pixels.copy())
        return []

    look_at(photo, Look("mirrored-padded", "full", pad=0.25, mirror=True), detect)

    (copy,) = seen
    border = 20  # a quarter of the longer side
    assert copy.shape == (60 + 2 * border, 80 + 2 * border, 3)
    np.testing.assert_array_equal(copy[border:-border, border:-border], photo[:, ::-1])
    mean = photo.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    assert (copy[:border] == mean).all() and (copy[-border:] == mean).all()
    assert (copy[:, :border] == mean).all() and (copy[:, -border:] == mean).all()

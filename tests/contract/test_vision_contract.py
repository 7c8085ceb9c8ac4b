"""The same assertions for the YOLOv4-tiny detector and the fake one, on a real photo."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ova.adapters.ai.fakes.vision import FakeObjectDetector
from ova.adapters.ai.images import PillowImageDecoder
from ova.adapters.ai.local.detection import YoloDetector, yolo_files
from ova.adapters.ai.pool import InferencePool
from ova.application.ports.vision import ObjectDetector
from ova.domain.vision import DetectedObject, RgbImage


@pytest.fixture(scope="module")
def bus() -> RgbImage:
    data = (yolo_files().parent.parent / "samples" / "bus.jpg").read_bytes()
    decoder = PillowImageDecoder(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000, pool=InferencePool("decode"))
    return decoder.decode_now(data)


@pytest.fixture(scope="module", params=["yolov4-tiny", "fake"])
def detector(request: pytest.FixtureRequest) -> Iterator[ObjectDetector]:
    if request.param == "fake":
        yield FakeObjectDetector()
        return
    yolo = YoloDetector(pool=InferencePool("detect", workers=2, queue=8))
    yolo.load()
    yield yolo


def assert_well_formed(found: list[DetectedObject], image: RgbImage, min_confidence: float) -> None:
    assert [o.confidence for o in found] == sorted((o.confidence for o in found), reverse=True)
    for o in found:
        assert isinstance(o.label, str) and o.label
        assert min_confidence <= o.confidence <= 1
        assert o.box.width > 0 and o.box.height > 0
        assert o.box.x >= 0 and o.box.y >= 0
        assert o.box.x + o.box.width <= image.width and o.box.y + o.box.height <= image.height


async def test_detections_are_sorted_confident_and_inside_the_image(detector: ObjectDetector, bus: RgbImage) -> None:
    found = await detector.detect(bus, min_confidence=0.25)
    assert found
    assert_well_formed(found, bus, 0.25)


async def test_raising_the_minimum_confidence_never_adds_objects(detector: ObjectDetector, bus: RgbImage) -> None:
    loose = await detector.detect(bus, min_confidence=0.2)
    for threshold in (0.5, 0.8, 0.95):
        strict = await detector.detect(bus, min_confidence=threshold)
        assert_well_formed(strict, bus, threshold)
        assert set(strict) <= set(loose)
        assert set(strict) == {o for o in loose if o.confidence >= threshold}


async def test_a_tiny_blank_image_gives_a_well_formed_answer(detector: ObjectDetector) -> None:
    blank = RgbImage(width=3, height=2, pixels=bytes(3 * 2 * 3), source_format="PNG")
    assert_well_formed(await detector.detect(blank, min_confidence=0.25), blank, 0.25)


def test_the_model_has_a_name(detector: ObjectDetector) -> None:
    assert isinstance(detector.model, str) and detector.model

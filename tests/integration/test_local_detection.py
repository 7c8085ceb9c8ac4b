"""YOLOv4-tiny through OpenCV DNN on the two photos shipped with its weights."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import anyio
import cv2
import pytest

from ova.adapters.ai.images import PillowImageDecoder
from ova.adapters.ai.local.captioning import TemplateCaptioner
from ova.adapters.ai.local.detection import YoloDetector, yolo_files
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import ModelUnavailable
from ova.domain.vision import RgbImage


def photo(name: str) -> RgbImage:
    data = (yolo_files().parent.parent / "samples" / name).read_bytes()
    decoder = PillowImageDecoder(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000, pool=InferencePool("decode"))
    return decoder.decode_now(data)


@pytest.fixture(scope="module")
def detector() -> YoloDetector:
    yolo = YoloDetector(pool=InferencePool("detect", workers=2, queue=8))
    yolo.load()
    return yolo


async def test_the_bus_photo_shows_people_and_a_bus(detector: YoloDetector) -> None:
    found = await detector.detect(photo("bus.jpg"), min_confidence=0.35)
    counts = Counter(o.label for o in found)
    assert counts["person"] >= 2 and counts["bus"] >= 1
    assert found[0].label == "person" and found[0].confidence > 0.9


async def test_the_template_caption_of_the_bus_photo_names_people_and_the_bus(detector: YoloDetector) -> None:
    image = photo("bus.jpg")
    found = await detector.detect(image, min_confidence=0.35)
    captioner = TemplateCaptioner()
    spanish = await captioner.describe(image, found, lang="es")
    english = await captioner.describe(image, found, lang="en")
    assert "persona" in spanish and "autobús" in spanish
    assert ("people" in english or "person" in english) and "bus" in english


async def test_the_zidane_photo_shows_a_person(detector: YoloDetector) -> None:
    found = await detector.detect(photo("zidane.jpg"), min_confidence=0.35)
    assert "person" in {o.label for o in found}


async def test_concurrent_detections_match_one_at_a_time(detector: YoloDetector) -> None:
    images = [photo("bus.jpg"), photo("zidane.jpg")] * 2
    alone = [await detector.detect(image, min_confidence=0.3) for image in images]
    together: list[object] = [None] * len(images)

    async def run(i: int) -> None:
        together[i] = await detector.detect(images[i], min_confidence=0.3)

    async with anyio.create_task_group() as group:
        for i in range(len(images)):
            group.start_soon(run, i)
    assert together == alone


def test_the_model_is_read_once_however_many_threads_load_it(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[object] = []
    real: Callable[..., cv2.dnn.Net] = cv2.dnn.readNetFromDarknet

    def counting(*args: object) -> cv2.dnn.Net:
        reads.append(args)
        return real(*args)

    monkeypatch.setattr(cv2.dnn, "readNetFromDarknet", counting)
    yolo = YoloDetector(pool=InferencePool("detect"))
    assert not yolo.loaded
    threads = [threading.Thread(target=yolo.load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    yolo.load()
    assert yolo.loaded and len(reads) == 1
    assert len(yolo.labels) == 80 and yolo.labels[0] == "person"


def test_missing_model_files_make_the_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable):
        YoloDetector(pool=InferencePool("detect"), files=tmp_path).load()

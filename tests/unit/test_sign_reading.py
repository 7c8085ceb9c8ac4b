"""The verdict on a sign: a letter, "not sure" naming its candidates, or no hand, and fields that agree."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ova.adapters.ai.fakes.sign import FakeSignRecognizer
from ova.adapters.ai.images import PillowImageDecoder
from ova.adapters.ai.pool import InferencePool
from ova.application.vision.sign import RecognizeSign, SignVerdict
from ova.entrypoints.http.ai_views import SignView


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, "PNG")
    return out.getvalue()


def _use_case(confidence: float, threshold: float) -> RecognizeSign:
    decoder = PillowImageDecoder(max_bytes=1 << 20, max_pixels=1 << 20, pool=InferencePool("sign-reading"))
    return RecognizeSign(decoder, FakeSignRecognizer("K", confidence), min_confidence=threshold)


async def test_a_letter_at_the_threshold_is_recognised() -> None:
    reading = await _use_case(0.7, 0.7)(_png((200, 150, 120)))
    view = SignView.of(reading)

    assert reading.verdict is SignVerdict.RECOGNIZED
    assert (view.success, view.prediction, view.confidence, view.status) == (True, "K", 70.0, "recognized")
    assert [a.label for a in view.alternatives] == ["L", "M", "N"]
    assert [t.label for t in view.top] == ["K", "L", "M"]
    assert view.message == "Letra reconocida: K"


async def test_a_letter_under_the_threshold_is_not_sure_and_names_its_candidates() -> None:
    reading = await _use_case(0.69, 0.7)(_png((200, 150, 120)))
    view = SignView.of(reading)

    assert reading.verdict is SignVerdict.NOT_SURE
    assert (view.success, view.prediction, view.confidence, view.status) == (False, None, 0.0, "not_sure")
    assert view.hand_detected is True
    # what is named agrees with its numbers: the candidates, best first, each with its own confidence
    assert [(a.label, a.confidence) for a in view.alternatives] == [("K", 69.0), ("L", 15.5), ("M", 7.75)]
    assert view.top == view.alternatives
    assert "K (69 %), L (16 %) o M (8 %)" in view.message and "70 %" in view.message


async def test_no_hand_is_neither_a_letter_nor_not_sure() -> None:
    view = SignView.of(await _use_case(0.9, 0.7)(_png((0, 0, 0))))

    assert (view.success, view.prediction, view.confidence, view.status) == (False, None, 0.0, "no_hand")
    assert view.hand_detected is False and view.alternatives == [] and view.top == []
    assert view.message == "No se detectó ninguna mano en la imagen."


@pytest.mark.parametrize("threshold", [0.0, 0.5, 0.95])
async def test_the_threshold_alone_decides_between_recognised_and_not_sure(threshold: float) -> None:
    reading = await _use_case(0.9, threshold)(_png((200, 150, 120)))

    assert reading.accepted is (threshold <= 0.9)

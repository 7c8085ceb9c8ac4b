"""A sign recognizer that needs no model: the same letter for every photo, no hand in an all-black one."""

from __future__ import annotations

import string

from ova.domain.vision import LabelScore, RgbImage, SignModelInfo, SignPrediction

_LETTERS = tuple(string.ascii_uppercase)


class FakeSignRecognizer:
    def __init__(self, letter: str = "A", confidence: float = 0.9) -> None:
        if letter not in _LETTERS or not 0.0 < confidence <= 1.0:
            raise ValueError("letter must be one of A-Z and confidence in (0, 1]")
        others = [c for c in _LETTERS if c != letter]
        rest = 1.0 - confidence
        # the next letters of the alphabet share what is left: a half, a quarter, an eighth
        self._prediction = SignPrediction(
            letter=letter,
            confidence=confidence,
            alternatives=tuple(
                LabelScore(others[(_LETTERS.index(letter) + i) % 25], rest / 2 ** (i + 1)) for i in range(3)
            ),
            hand_detected=True,
        )

    @property
    def info(self) -> SignModelInfo:
        return SignModelInfo(
            name="fake-sign", provider="fake", labels=_LETTERS, input="photo (RGB); all black = no hand", version="1"
        )

    async def recognize(self, image: RgbImage) -> SignPrediction:
        if not image.pixels.strip(b"\x00"):
            return SignPrediction(letter=None, confidence=0.0, alternatives=(), hand_detected=False)
        return self._prediction

from __future__ import annotations

import enum
import time

from attrs import frozen

from ova.application.ports.vision import ImageDecoder, SignRecognizer
from ova.domain.vision import LabelScore, SignModelInfo, SignPrediction

_TOP = 3


class SignVerdict(enum.Enum):
    """What the answer says: a letter, a hand whose letter is not sure enough, or no hand at all."""

    RECOGNIZED = "recognized"
    NOT_SURE = "not_sure"
    NO_HAND = "no_hand"


def _percent(score: LabelScore) -> str:
    return f"{score.label} ({score.confidence * 100:.0f} %)"


def _listed(scores: tuple[LabelScore, ...]) -> str:
    names = [_percent(score) for score in scores]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} o {names[-1]}"


@frozen
class SignReading:
    """A prediction and the verdict on it: ``RECOGNIZED`` when a hand was found and its likeliest
    letter's confidence reaches the threshold. ``top`` holds the likeliest letters (at most three),
    best first, whatever the verdict, so a "not sure" answer can still name its candidates."""

    prediction: SignPrediction
    verdict: SignVerdict
    message: str
    model: str
    elapsed_ms: float

    @property
    def accepted(self) -> bool:
        return self.verdict is SignVerdict.RECOGNIZED

    @property
    def top(self) -> tuple[LabelScore, ...]:
        p = self.prediction
        if p.letter is None:
            return ()
        return (LabelScore(p.letter, p.confidence), *p.alternatives)[:_TOP]


@frozen
class RecognizeSign:
    decoder: ImageDecoder
    recognizer: SignRecognizer
    min_confidence: float

    async def __call__(self, data: bytes) -> SignReading:
        started = time.perf_counter()
        image = await self.decoder.decode(data)
        prediction = await self.recognizer.recognize(image)
        verdict, message = self._verdict(prediction)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return SignReading(prediction, verdict, message, self.recognizer.info.name, elapsed)

    def _verdict(self, prediction: SignPrediction) -> tuple[SignVerdict, str]:
        if not prediction.hand_detected or prediction.letter is None:
            return SignVerdict.NO_HAND, "No se detectó ninguna mano en la imagen."
        if prediction.confidence < self.min_confidence:
            candidates = (LabelScore(prediction.letter, prediction.confidence), *prediction.alternatives)[:_TOP]
            return SignVerdict.NOT_SURE, (
                f"Se ve una mano, pero no se reconoce la letra con seguridad "
                f"(hace falta un {self.min_confidence * 100:.0f} %): podría ser {_listed(candidates)}."
            )
        return SignVerdict.RECOGNIZED, f"Letra reconocida: {prediction.letter}"


@frozen
class DescribeSignModel:
    recognizer: SignRecognizer

    def __call__(self) -> SignModelInfo:
        return self.recognizer.info

from __future__ import annotations

import time

from attrs import frozen

from ova.application.ports.vision import ImageDecoder, SignRecognizer
from ova.domain.vision import SignModelInfo, SignPrediction


@frozen
class SignReading:
    """A prediction and the verdict on it: ``accepted`` when a hand was found and the letter's
    confidence reaches the threshold."""

    prediction: SignPrediction
    accepted: bool
    message: str
    model: str
    elapsed_ms: float


@frozen
class RecognizeSign:
    decoder: ImageDecoder
    recognizer: SignRecognizer
    min_confidence: float

    async def __call__(self, data: bytes) -> SignReading:
        started = time.perf_counter()
        image = await self.decoder.decode(data)
        prediction = await self.recognizer.recognize(image)
        if not prediction.hand_detected or prediction.letter is None:
            accepted, message = False, "No se detectó ninguna mano en la imagen."
        elif prediction.confidence < self.min_confidence:
            accepted = False
            message = (f"No se reconoce la letra con suficiente confianza "
                       f"({prediction.confidence * 100:.0f} % < {self.min_confidence * 100:.0f} %).")
        else:
            accepted, message = True, f"Letra reconocida: {prediction.letter}"
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return SignReading(prediction, accepted, message, self.recognizer.info.name, elapsed)


@frozen
class DescribeSignModel:
    recognizer: SignRecognizer

    def __call__(self) -> SignModelInfo:
        return self.recognizer.info

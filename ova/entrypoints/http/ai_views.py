"""Response shapes of the image, sign-language and speech routes."""

from __future__ import annotations

from typing import Literal

from attrs import frozen

from ova.application.speech.use_cases import Transcription
from ova.application.vision.analyze import DetectedObjects, ImageAnalysis, ImageDescription
from ova.application.vision.read_text import TextInImage
from ova.application.vision.sign import SignReading
from ova.domain.text_reading import TextLine
from ova.domain.vision import DetectedObject, SignModelInfo


@frozen
class BoxView:
    """Pixels of the uploaded image (after EXIF orientation)."""

    x: int
    y: int
    width: int
    height: int


@frozen
class ObjectView:
    """``confidence`` from 0 to 1."""

    label: str
    confidence: float
    box: BoxView

    @classmethod
    def of(cls, found: DetectedObject) -> ObjectView:
        b = found.box
        return cls(found.label, found.confidence, BoxView(b.x, b.y, b.width, b.height))


@frozen
class TextLineView:
    """One line as read: its words joined by spaces, ``confidence`` from 0 to 1 (the mean of its
    words'), ``box`` in pixels of the uploaded image."""

    text: str
    confidence: float
    box: BoxView

    @classmethod
    def of(cls, line: TextLine) -> TextLineView:
        b = line.box
        return cls(line.text, round(line.confidence, 4), BoxView(b.x, b.y, b.width, b.height))


@frozen
class TextView:
    """``text``: the lines joined by newlines, ``""`` when the photo has no text (never invented);
    ``lines`` in reading order; ``language`` the one read first (``es`` or ``en``)."""

    text: str
    lines: list[TextLineView]
    language: str
    model: str
    elapsed_ms: float

    @classmethod
    def of(cls, result: TextInImage) -> TextView:
        return cls(result.text, [TextLineView.of(line) for line in result.lines], result.language, result.model,
                   result.elapsed_ms)


@frozen
class ObjectsView:
    objects: list[ObjectView]
    width: int
    height: int
    model: str
    elapsed_ms: float

    @classmethod
    def of(cls, result: DetectedObjects) -> ObjectsView:
        return cls([ObjectView.of(o) for o in result.objects], result.width, result.height, result.model,
                   result.elapsed_ms)


@frozen
class DescriptionView:
    description: str
    model: str
    elapsed_ms: float

    @classmethod
    def of(cls, result: ImageDescription) -> DescriptionView:
        return cls(result.description, result.model, result.elapsed_ms)


@frozen
class AnalysisView:
    """``description`` ends with what is written in the photo; ``text`` is all of it (``""`` when
    there is none) and ``lines`` its lines, as ``/imagen/texto`` gives them."""

    objects: list[ObjectView]
    description: str
    width: int
    height: int
    models: dict[str, str]
    elapsed_ms: float
    text: str
    lines: list[TextLineView]

    @classmethod
    def of(cls, result: ImageAnalysis) -> AnalysisView:
        return cls([ObjectView.of(o) for o in result.objects], result.description, result.width, result.height,
                   dict(result.models), result.elapsed_ms, result.text, [TextLineView.of(x) for x in result.lines])


@frozen
class LetterView:
    """``confidence`` from 0 to 100."""

    label: str
    confidence: float


@frozen
class SignView:
    """``prediction`` is the letter, or ``null`` with ``success: false`` and a ``message`` when no hand
    is found (``status: no_hand``) or the likeliest letter's confidence is under the threshold
    (``status: not_sure``). ``confidence`` (0 to 100) is the confidence in ``prediction``: 0 when
    there is none. ``alternatives`` are the other candidates: the runners-up of a recognised letter,
    or, when not sure, the likeliest letters themselves. ``top`` lists the three likeliest letters
    whatever the status (empty without a hand)."""

    success: bool
    prediction: str | None
    confidence: float
    alternatives: list[LetterView]
    hand_detected: bool
    message: str
    model: str
    elapsed_ms: float
    status: Literal["recognized", "not_sure", "no_hand"]
    top: list[LetterView]

    @classmethod
    def of(cls, reading: SignReading) -> SignView:
        p = reading.prediction
        top = [LetterView(score.label, _percent(score.confidence)) for score in reading.top]
        runners_up = [LetterView(a.label, _percent(a.confidence)) for a in p.alternatives]
        return cls(
            success=reading.accepted,
            prediction=p.letter if reading.accepted else None,
            confidence=_percent(p.confidence) if reading.accepted else 0.0,
            alternatives=runners_up if reading.accepted else top,
            hand_detected=p.hand_detected,
            message=reading.message,
            model=reading.model,
            elapsed_ms=reading.elapsed_ms,
            status=reading.verdict.value,
            top=top,
        )


@frozen
class SignModelView:
    name: str
    provider: str
    labels: list[str]
    input: str
    version: str

    @classmethod
    def of(cls, info: SignModelInfo) -> SignModelView:
        return cls(info.name, info.provider, list(info.labels), info.input, info.version)


@frozen
class TranscriptionView:
    text: str
    language: str
    duration_s: float
    model: str
    elapsed_ms: float

    @classmethod
    def of(cls, result: Transcription) -> TranscriptionView:
        t = result.transcript
        return cls(t.text, t.language, t.duration_s, result.model, result.elapsed_ms)


def _percent(confidence: float) -> float:
    return round(max(0.0, min(1.0, confidence)) * 100, 2)

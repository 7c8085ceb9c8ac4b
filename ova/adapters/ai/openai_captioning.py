"""Descriptions of a photo for a blind person by any OpenAI-compatible vision chat model
(``CAPTIONING_PROVIDER=openai-compatible``).

The model is told who listens (a blind or low-vision person, who hears the answer read aloud) and
what matters to them: what is there, where, any written text (quoted, word for word) and hazards;
in the request's language, 1 to 3 short sentences of plain text. What it answers is tidied for
speech (markdown marks and line breaks removed) and cut to ``MAX_CHARS``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ova.adapters.ai.openai_vision import OpenAICompatibleVision
from ova.domain.errors import ModelUnavailable
from ova.domain.vision import DetectedObject, RgbImage

INSTRUCTIONS = {
    "es": (
        "Describes fotos para una persona ciega o con baja visión, que escuchará tu respuesta en voz alta. "
        "Di de forma breve y concreta qué se ve y dónde está (delante, a la izquierda, a la derecha, cerca, "
        "lejos); si hay texto escrito, cítalo literalmente entre comillas «»; y avisa de cualquier peligro "
        "(escalones, tráfico, obstáculos, líquidos, fuego). Responde en español, en una a tres frases cortas "
        "de texto plano: sin markdown, listas ni emojis. No inventes lo que no se ve."
    ),
    "en": (
        "You describe photos for a blind or low-vision person, who will hear your answer read aloud. Say "
        "briefly and concretely what is there and where it is (ahead, on the left, on the right, near, far); "
        "if there is written text, quote it word for word in double quotes; and warn of any hazard (steps, "
        "traffic, obstacles, liquids, fire). Answer in English, in one to three short sentences of plain "
        "text: no markdown, lists or emoji. Do not make up what cannot be seen."
    ),
}
"""The system prompt, by the request's language (``es`` for any other)."""
ASKS = {"es": "Describe esta foto.", "en": "Describe this photo."}
MAX_TOKENS = 160
"""Room for three short sentences; a model that rambles is cut here rather than after seconds."""
MAX_CHARS = 600
_MARKS = re.compile(r"^\s*(?:#+|[-•*]|\d+[.)])\s+|\*+|`+", re.MULTILINE)
"""Markdown a model may write despite the prompt: headings, bullets, numbered items, bold, code."""


class OpenAICompatibleCaptioner:
    """An ``ImageCaptioner`` that looks at the pixels; the detections (``objects``) are not sent: the
    vision model sees more than the detector's labels, and a list could bias it."""

    def __init__(self, vision: OpenAICompatibleVision) -> None:
        self._vision = vision
        self.breaker = vision.breaker

    @property
    def model(self) -> str:
        return self._vision.model

    async def describe(self, image: RgbImage, objects: Sequence[DetectedObject], *, lang: str) -> str:
        language = lang if lang in INSTRUCTIONS else "es"
        answer = await self._vision.ask(image, instruction=INSTRUCTIONS[language], ask=ASKS[language],
                                        max_tokens=MAX_TOKENS)
        sentence = spoken(answer)
        if not sentence:
            raise ModelUnavailable(f"{self.breaker.name} no describió la foto.")
        return sentence


def spoken(answer: str) -> str:
    """The answer as one paragraph to be read aloud: markdown marks and list bullets removed, white
    space collapsed, at most ``MAX_CHARS`` (cut at the last full sentence that fits when there is one)."""
    text = " ".join(_MARKS.sub("", answer).split())
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > 0 else cut.rstrip() + "…"

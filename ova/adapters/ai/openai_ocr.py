"""Reading the text in a photo with any OpenAI-compatible vision chat model
(``OCR_PROVIDER=openai-compatible``).

The model is asked to transcribe, not to describe: only the text, exactly as written (no
translation, no correction), one line of the photo per line of the answer, in reading order, and
nothing at all when there is none. Chat models give no boxes and no confidences, so every line has
the whole image as its box and ``CONFIDENCE`` as its confidence (documented in the README); a client
that needs where each line is should use the local reader.

The answer is cleaned of what models add despite the prompt: code fences, surrounding quotes, a
"no text" sentence instead of an empty answer (``NO_TEXT``).
"""

from __future__ import annotations

import re

from ova.adapters.ai.openai_vision import OpenAICompatibleVision
from ova.domain.text_reading import ReadText, TextLine
from ova.domain.vision import Box, RgbImage

CONFIDENCE = 0.5
"""The confidence of every line read by a chat model, which reports none: "read, certainty unknown"."""
MAX_TOKENS = 1024
"""Room for a page of text; a longer answer is cut there by the server."""

INSTRUCTIONS = {
    "es": (
        "Eres un lector de texto (OCR). Transcribe exactamente todo el texto escrito que se ve en la imagen, "
        "tal como está escrito, sin traducirlo ni corregirlo, una línea de la imagen por línea de tu respuesta, "
        "en orden de lectura. Escribe solo el texto, nada más: sin comentarios, comillas ni markdown. "
        "Si la imagen no tiene texto, no escribas nada. Lo más probable es que el texto esté en español."
    ),
    "en": (
        "You are a text reader (OCR). Transcribe exactly all the written text visible in the image, as it is "
        "written, without translating or correcting it, one line of the image per line of your answer, in "
        "reading order. Write only the text, nothing else: no comments, quotes or markdown. If the image has "
        "no text, write nothing. The text is most likely in English."
    ),
}
"""The system prompt, by the request's language (``es`` for any other)."""
ASKS = {"es": "Transcribe el texto de esta imagen.", "en": "Transcribe the text in this image."}
NO_TEXT = re.compile(
    r"^[\s(\[]*(no hay (ningún )?texto|(la imagen )?no (tiene|contiene) (ningún )?texto|sin texto|"
    r"no text|there is no (visible )?text|(the image )?(has|contains) no (visible )?text|no visible text)"
    r"( visible)?( en la imagen| in the image)?[\s.)\]]*$",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s*```[\w-]*\s*$")
_QUOTES = "\"'«»“”‘’"


class OpenAICompatibleTextReader:
    """A ``TextReader`` backed by a vision chat model (see the module for what its lines carry)."""

    def __init__(self, vision: OpenAICompatibleVision) -> None:
        self._vision = vision
        self.breaker = vision.breaker

    @property
    def model(self) -> str:
        return self._vision.model

    async def read(self, image: RgbImage, *, lang: str) -> ReadText:
        language = lang if lang in INSTRUCTIONS else "es"
        answer = await self._vision.ask(image, instruction=INSTRUCTIONS[language], ask=ASKS[language],
                                        max_tokens=MAX_TOKENS)
        whole = Box(0, 0, image.width, image.height)
        return ReadText(tuple(TextLine(line, CONFIDENCE, whole) for line in transcribed_lines(answer)))


def transcribed_lines(answer: str) -> list[str]:
    """The non-empty lines of a transcription, white space collapsed; code fences, quotes around the
    whole answer and a "there is no text" sentence are not text of the photo."""
    lines = [" ".join(line.split()) for line in answer.splitlines() if not _FENCE.match(line)]
    lines = [line for line in lines if line]
    if lines and len(lines[0]) > 1 and lines[0][0] in _QUOTES and lines[-1][-1] in _QUOTES:
        lines[0], lines[-1] = lines[0][1:].lstrip(), lines[-1][:-1].rstrip()
        lines = [line for line in lines if line]
    if len(lines) == 1 and NO_TEXT.match(lines[0]):
        return []
    return lines

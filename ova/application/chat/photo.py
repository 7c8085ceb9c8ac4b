"""A photo sent in the chat ("what does this say?"): it is described and read like ``/imagen/analizar``
does, in the conversation's language, and the answer goes into the conversation like any other: the
photo as the user's turn ("[Foto]"), the description and the text as the assistant's. The history
then shows it, and the chat model sees it as context for what the user asks next ("¿y qué más dice?").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from attrs import frozen

from ova.application.chat.conversation import ChatThread, Converse
from ova.application.vision.analyze import AnalyzeImage, ImageAnalysis
from ova.domain.chat import Turn
from ova.domain.descriptions import quoted_part
from ova.domain.language import Language
from ova.domain.users import User

PHOTO_TURNS: Mapping[Language, str] = {Language.ES: "[Foto]", Language.EN: "[Photo]"}
"""The user's turn stored for a photo (the photo itself is not kept)."""
FULL_TEXT: Mapping[Language, str] = {Language.ES: "Todo el texto:", Language.EN: "The full text:"}
"""Heads the whole text after the description, when the description quotes only its beginning."""


def photo_answer(analysis: ImageAnalysis, language: Language) -> str:
    """The description (which ends with what is written); then the whole text when the description
    had to shorten it, so that a letter or a leaflet is read in full."""
    if not analysis.text.strip() or quoted_part(analysis.text) == " ".join(analysis.text.split()):
        return analysis.description
    return f"{analysis.description}\n\n{FULL_TEXT[language]}\n{analysis.text.strip()}"


@frozen
class PhotoReply:
    """The answer as stored, the language it is written (and spoken) in, and the analysis behind it."""

    turn: Turn
    language: Language
    analysis: ImageAnalysis


@frozen
class PhotoChat:
    """Describe and read a photo, then store it and its answer in the conversation.

    The photo is analysed before anything is stored: a photo refused (unreadable, too large, of a
    format not accepted) or a model that fails raises, and the conversation is left as it was."""

    converse: Converse
    analyze: AnalyzeImage

    async def __call__(self, thread: ChatThread, data: bytes, *, user: User | None, language: Language | None = None,
                       fit: Callable[[str], str] = str) -> PhotoReply:
        """``language``: the one the frame names (the connection's ``?lang=`` wins over it); else the
        conversation's, else ``Accept-Language``, else the default. ``fit`` cuts the answer to what one
        frame can carry (it is stored as sent)."""
        converse = self.converse
        spoken = await converse.expected_language(thread, language)
        analysis = await self.analyze(data, lang=spoken.value)
        pending = await converse.begin(thread, PHOTO_TURNS[spoken], user=user, language=spoken)
        turn = await converse.finish(pending, fit(photo_answer(analysis, spoken)))
        return PhotoReply(turn, pending.prompt.language, analysis)

"""What text read from a photo is to the core: lines, each with its box and confidence."""

from __future__ import annotations

from attrs import frozen

from ova.domain.vision import Box


@frozen
class TextLine:
    """One line of text as read: its words joined by single spaces, the mean confidence of its words
    (0 to 1) and its box in pixels of the uploaded image."""

    text: str
    confidence: float
    box: Box


@frozen
class ReadText:
    """Everything readable in a photo, in reading order (top to bottom, then left to right). No line is
    empty; a photo without text has no lines."""

    lines: tuple[TextLine, ...] = ()

    @property
    def text(self) -> str:
        """The lines joined by newlines: ``""`` when nothing was read."""
        return "\n".join(line.text for line in self.lines)

"""How far text read from a photo is from what is written there: character error rate (CER).

CER = character edits (substitutions, insertions, deletions) ÷ characters of the reference, both
first reduced to single spaces (line breaks, tabs and runs of spaces count as one space, none at the
ends): where a reader breaks lines is not an error. A photo without text has no reference to divide
by, so it is scored by the characters a reader *invented* there (any non-space character is one).
Both the exact CER and the case-insensitive one are kept: a sign in capitals read in small letters
is still useful to a blind user, a wrong letter is not.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from attrs import frozen

from bench.word_error import edit_distance


def normalise_whitespace(text: str) -> str:
    """Every run of whitespace as one space, none at the ends."""
    return " ".join(text.split())


@frozen
class CharErrors:
    """The edits that turn the reference into what was read, exactly and ignoring case, and the
    reference's length (after whitespace normalisation)."""

    edits: int
    edits_ignoring_case: int
    reference_chars: int

    @property
    def cer(self) -> float:
        """Edits ÷ reference characters; ``nan`` when there is no reference (use ``invented_chars``)."""
        return self.edits / self.reference_chars if self.reference_chars else math.nan

    @property
    def cer_ignoring_case(self) -> float:
        return self.edits_ignoring_case / self.reference_chars if self.reference_chars else math.nan


def char_errors(reference: str, hypothesis: str) -> CharErrors:
    """The character edits between ``reference`` and ``hypothesis`` after whitespace normalisation."""
    ref, hyp = normalise_whitespace(reference), normalise_whitespace(hypothesis)
    return CharErrors(edit_distance(ref, hyp), edit_distance(ref.casefold(), hyp.casefold()), len(ref))


def invented_chars(hypothesis: str) -> int:
    """Non-space characters read from a photo that has no text: each one is invented."""
    return sum(1 for char in hypothesis if not char.isspace())


def pooled_cer(errors: Sequence[CharErrors], *, ignore_case: bool = False) -> float:
    """All edits ÷ all reference characters: long texts weigh more than short ones (``nan`` if none)."""
    chars = sum(e.reference_chars for e in errors)
    if not chars:
        return math.nan
    return sum(e.edits_ignoring_case if ignore_case else e.edits for e in errors) / chars


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0 to 1) percentile by linear interpolation between ranks (``nan`` if none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan

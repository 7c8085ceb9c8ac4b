"""Cutting text into the pieces a voice speaks one at a time.

A speech engine that runs at about real time cannot say a long answer before it has finished
synthesising it; spoken a sentence at a time, the first sentence plays while the next is made. The
pieces are sentences, except that a sentence longer than ``max_chars`` is cut at its clauses (commas,
semicolons, colons) and, failing those, between words; and the first piece may be held shorter
(``first_max_chars``), so that the first audio is ready sooner. Then each piece may be at most twice
as long as the one before: while a piece plays, the next (about twice its length) is made, so an
engine at about real time keeps up without a gap.
"""

from __future__ import annotations

import re

_TERMINATOR = re.compile(r"[.!?…]+[\"'”»)\]]*(?=\s|$)|\n+")
"""The end of a sentence: ``.``, ``!``, ``?`` or ``…`` (with closing quotes or brackets) before a
space or the end; or a line break. A dot inside a number (``3.5``) or a web address is followed by no
space, so it ends nothing."""

ABBREVIATIONS = frozenset({
    "sr", "sra", "srta", "dr", "dra", "dña", "ud", "uds", "vd", "vds", "p", "ej", "pág", "núm", "av", "avda",
    "tel", "aprox", "mr", "mrs", "ms", "vs", "e.g", "i.e", "fig", "approx",
})
"""Words a dot follows without ending the sentence (``Sr. García``, ``p. ej.``), compared lower-case.
Words that also end sentences (``no``, ``etc``) are not among them: a cut too many costs a pause, a
cut too few a longer wait for the first audio."""

_CLAUSE = re.compile(r"[,;:—]+(?=\s)")
LINKING_WORDS = frozenset({
    "y", "e", "o", "u", "ni", "que", "de", "del", "a", "al", "en", "con", "por", "para", "sin", "sobre", "el", "la",
    "los", "las", "lo", "un", "una", "unos", "unas", "su", "sus", "mi", "mis", "tu", "tus", "se", "me", "te", "le",
    "les", "nos", "muy", "más", "pero", "como", "and", "or", "but", "the", "an", "of", "to", "in", "on", "at",
    "for", "with", "by", "from", "my", "your", "his", "her", "its", "our", "their", "is", "are", "very",
})
"""Words that lean on the next one: a piece cut between words does not end with one if it can help it
("Madrid es la capital de España | y su ciudad", not "… España y su | ciudad")."""
MAX_CHARS = 200
"""Long enough for any ordinary sentence, short enough for every engine (Kokoro reads at most 510
phonemes at once)."""


def split_sentences(text: str, *, max_chars: int = MAX_CHARS, first_max_chars: int | None = None) -> list[str]:
    """The pieces of ``text`` to speak in order, each stripped and non-empty, none longer than
    ``max_chars``. With ``first_max_chars`` the n-th piece (from 0) is at most ``first_max_chars × 2ⁿ``
    long (and ``max_chars``). Joined with spaces they hold every word of ``text``, in order."""
    if max_chars < 1 or (first_max_chars is not None and first_max_chars < 1):
        raise ValueError("max_chars and first_max_chars must be positive")
    pieces: list[str] = []

    def limit() -> int:
        if first_max_chars is None or len(pieces) > max_chars.bit_length():
            return max_chars
        return min(max_chars, first_max_chars << len(pieces))

    for sentence in _sentences(text):
        rest = sentence
        while len(rest) > limit():
            head, *tail = _cut(rest, limit())
            pieces.append(head)
            rest = " ".join(tail)
        if rest:
            pieces.append(rest)
    return pieces


def _sentences(text: str) -> list[str]:
    found: list[str] = []
    start = 0
    for match in _TERMINATOR.finditer(text):
        end = match.end()
        if match.group().startswith(".") and _abbreviation_before(text, match.start()):
            continue
        piece = text[start:end].strip()
        if piece:
            found.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        found.append(tail)
    return found


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"(\S+)$", text[:dot])
    return word is not None and word.group(1).lower().lstrip("¿¡(\"'«") in ABBREVIATIONS


def _word_cut(window: str, limit: int) -> int:
    """Where to cut ``window`` between words: at the last space that fits, moved back past linking
    words while that keeps at least half the limit; at ``limit`` when there is no space."""
    spaces = [i for i, character in enumerate(window) if character == " " and 0 < i <= limit]
    if not spaces:
        return limit
    for space in reversed(spaces):
        if space < limit // 2:
            break
        if window[:space].rsplit(" ", 1)[-1].lower() not in LINKING_WORDS:
            return space
    return spaces[-1]


def _cut(sentence: str, limit: int) -> list[str]:
    """``sentence`` in pieces of at most ``limit`` characters: cut after the last clause mark that
    fits, else before the last word that fits, else (one very long word) at ``limit``."""
    pieces: list[str] = []
    rest = sentence.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        clauses = [m.end() for m in _CLAUSE.finditer(window) if m.end() <= limit]
        at = clauses[-1] if clauses else _word_cut(window, limit)
        pieces.append(rest[:at].strip())
        rest = rest[at:].strip()
    if rest:
        pieces.append(rest)
    return pieces

"""A text spoken a sentence at a time: each piece is synthesised while the one before is delivered,
so the first audio is ready after the first (short) piece, not after the whole answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence

from attrs import frozen

from ova.application.ports.speech import TextToSpeech
from ova.domain.sentences import MAX_CHARS, split_sentences
from ova.domain.speech import Speech

FIRST_MAX_CHARS = 24
"""The first piece of an answer spoken sentence by sentence is cut (at a clause, else between words)
past this length, about 1.5 s of speech (Kokoro spends about 0.9 CPU seconds per second of speech);
the next pieces may each be twice as long as the one before (``split_sentences``)."""


@frozen
class SpokenSentence:
    """One piece of a spoken text: its place (``index`` from 0), its words, its audio, and whether
    it is the last (``final``)."""

    index: int
    text: str
    speech: Speech
    final: bool


async def speak_pieces(tts: TextToSpeech, pieces: Sequence[str], *, voice: str | None,
                       language: str) -> AsyncGenerator[SpokenSentence, None]:
    """``pieces`` spoken in order. While the caller handles one, the next is already being
    synthesised; closing the iterator early cancels that synthesis."""
    if not pieces:
        return
    upcoming = asyncio.ensure_future(tts.synthesize(pieces[0], voice=voice, language=language))
    try:
        for index, piece in enumerate(pieces):
            speech = await upcoming
            final = index + 1 == len(pieces)
            if not final:
                upcoming = asyncio.ensure_future(tts.synthesize(pieces[index + 1], voice=voice, language=language))
            yield SpokenSentence(index=index, text=piece, speech=speech, final=final)
    finally:
        if not upcoming.done():
            upcoming.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await upcoming  # its error, if any, belongs to nobody now: retrieved so it is not logged


@frozen
class SpeakSentences:
    """Speak a text sentence by sentence (``SpokenSentence`` as each is ready); the first piece is at
    most ``first_max_chars`` long, the others at most ``max_chars``."""

    tts: TextToSpeech
    first_max_chars: int | None = FIRST_MAX_CHARS
    max_chars: int = MAX_CHARS

    def __call__(self, text: str, *, voice: str | None = None, language: str = "es",
                 ) -> AsyncGenerator[SpokenSentence, None]:
        pieces = split_sentences(text, max_chars=self.max_chars, first_max_chars=self.first_max_chars)
        return speak_pieces(self.tts, pieces, voice=voice, language=language)

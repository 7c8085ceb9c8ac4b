"""Guessing whether a short message is Spanish or English, from its words and its letters alone.

A conversation with no language asked for takes the language of its first message. Chat messages
are short ("hola", "what time is it?"), too short for letter statistics, so the guess counts what
gives each language away in a few words: its most common words (articles, pronouns, question words,
greetings), the accented letters and ``ñ`` of Spanish, its opening ``¿`` and ``¡``, and English
contractions (``don't``, ``it's``). A message with no such sign, or as many of one language as of the
other, is no guess (``None``): the caller falls back to its default.
"""

from __future__ import annotations

import re

from ova.domain.language import Language


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SPANISH_WORDS = _words("""
a al algo algún alguna alguno así aquí ayuda ayúdame bien buenas bueno buenos cada como cómo con
cual cuál cuales cuáles cuando cuándo cuanto cuánto cuánta cuántos cuántas de del desde dime donde
dónde dos el él ella ellas ellos en entre era eres es esa ese eso esta está están estás este esto
estoy favor fue gracias ha hace hacer hay hola hoy la las le les lo los me mi mis mucho muy más nada
no nos nosotros o otra otro para pero poco por porque puede puedes puedo qué que quien quién quiero
se sé ser si sí sin sobre son soy su sus también tan te tengo tiene tienes tu tú un una uno unos
unas usted vale veo y ya yo adiós necesito mañana tarde noche día dias días cosa gusta sabes
""")

_ENGLISH_WORDS = _words("""
a about all am an and any are as at be been but by can could did do does doing for from get give
good got had has have he hello help her hey hi him his how i if in is it its just know like me
my no not now of on or our please she should so some tell thank thanks that the their them then
there these they this those to today tomorrow us very was we well were what when where which who
why will with would yes you your morning evening night bye time weather today what's it's i'm
don't can't isn't doesn't you're
""")

# Words both languages write the same way, and which therefore say nothing.
_SHARED = _SPANISH_WORDS & _ENGLISH_WORDS

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SPANISH_LETTERS = re.compile(r"[áéíóúñü]")
_SPANISH_MARKS = re.compile(r"[¿¡]")
_ENGLISH_CONTRACTION = re.compile(r"[a-z]'(?:s|t|re|ve|ll|d|m)\b")

ACCENT_WEIGHT = 1.0  # each word with an accented letter or ñ
MARK_WEIGHT = 2.0  # ¿ or ¡ (no other language here opens a sentence so)
CONTRACTION_WEIGHT = 1.5


def language_scores(text: str) -> dict[Language, float]:
    """The evidence for each language in ``text`` (how many of its signs it shows)."""
    lowered = text.lower().replace("’", "'")
    words = _WORD.findall(lowered)
    spanish = english = 0.0
    for word in words:
        if word in _SHARED:
            continue
        spanish += word in _SPANISH_WORDS
        english += word in _ENGLISH_WORDS
        if _SPANISH_LETTERS.search(word):
            spanish += ACCENT_WEIGHT
    spanish += MARK_WEIGHT * min(2, len(_SPANISH_MARKS.findall(lowered)))
    english += CONTRACTION_WEIGHT * len(_ENGLISH_CONTRACTION.findall(lowered))
    return {Language.ES: spanish, Language.EN: english}


def guess_language(text: str, *, margin: float = 1.0) -> Language | None:
    """The language ``text`` is written in, or ``None`` when its signs do not lead by ``margin``."""
    scores = language_scores(text)
    spanish, english = scores[Language.ES], scores[Language.EN]
    if spanish - english >= margin:
        return Language.ES
    if english - spanish >= margin:
        return Language.EN
    return None

"""One honest sentence about a scene, built only from what a detector found in it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ova.domain.coco_labels import Noun, english_noun, spanish_noun
from ova.domain.vision import Box, DetectedObject

_ES_NUMBERS = ("", "", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez")
_EN_NUMBERS = ("", "", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ES_PLACES = ("a la izquierda", "en el centro", "a la derecha")
_EN_PLACES = ("on the left", "in the centre", "on the right")
NOTHING = {
    "es": "No se reconocen objetos en la imagen.",
    "en": "I can't recognise any objects in the image.",
}


def describe_scene(objects: Sequence[DetectedObject], width: int, height: int, lang: str = "es") -> str:
    """``lang`` is ``es`` (the default for anything else) or ``en``. Kinds of object are listed by
    how many there are, then by how much of the picture they take; the place (left, centre, right
    third) is given for the largest object."""
    english = lang.strip().lower().startswith("en")
    if not objects:
        return NOTHING["en" if english else "es"]
    groups: dict[str, list[DetectedObject]] = {}
    for obj in objects:
        groups.setdefault(obj.label.strip().lower(), []).append(obj)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), -sum(_area(o.box) for o in item[1]), item[0]))
    main = max(objects, key=lambda o: (_area(o.box), o.confidence))
    main_group = groups[main.label.strip().lower()]
    places = {_third(o.box, width) for o in main_group}
    together = len(places) == 1
    where = _third(main.box, width)
    if english:
        return _english(ordered, len(main_group), main.label, where, together)
    return _spanish(ordered, len(main_group), main.label, where, together)


def _spanish(
    ordered: list[tuple[str, list[DetectedObject]]], main_count: int, main_label: str, where: int, together: bool
) -> str:
    items = [_es_counted(spanish_noun(label), len(objs)) for label, objs in ordered]
    place = _ES_PLACES[where]
    total = sum(len(objs) for _, objs in ordered)
    if total == 1 or (len(ordered) == 1 and together):
        return f"Veo {items[0]} {place}."
    noun = spanish_noun(main_label)
    if main_count == 1:
        clause = f"{_es_article(noun, 1)} {noun.singular} está {place}"
    elif together:
        clause = f"{_es_article(noun, 2)} {_es_number(main_count, noun)} {noun.plural} están {place}"
    else:
        ending = "a" if noun.feminine else "o"
        clause = f"{_es_article(noun, 1)} {noun.singular} más destacad{ending} está {place}"
    return f"Veo {_join(items, 'y')}; {clause}."


def _english(
    ordered: list[tuple[str, list[DetectedObject]]], main_count: int, main_label: str, where: int, together: bool
) -> str:
    items = [_en_counted(english_noun(label), len(objs)) for label, objs in ordered]
    place = _EN_PLACES[where]
    total = sum(len(objs) for _, objs in ordered)
    if total == 1 or (len(ordered) == 1 and together):
        return f"I can see {items[0]} {place}."
    noun = english_noun(main_label)
    if main_count == 1:
        clause = f"the {noun.singular} is {place}"
    elif together:
        clause = f"the {_en_number(main_count, noun)} {noun.plural} are {place}"
    else:
        clause = f"the most prominent {noun.singular} is {place}"
    return f"I can see {_join(items, 'and')}; {clause}."


def _es_number(count: int, noun: Noun) -> str:
    if count == 1:
        return "una" if noun.feminine else "un"
    return _ES_NUMBERS[count] if count <= 10 else str(count)


def _es_counted(noun: Noun, count: int) -> str:
    return f"{_es_number(count, noun)} {noun.singular if count == 1 else noun.plural}"


def _es_article(noun: Noun, count: int) -> str:
    if count == 1:
        return "la" if noun.feminine else "el"
    return "las" if noun.feminine else "los"


def _en_number(count: int, noun: Noun) -> str:
    if count == 1:
        return "an" if noun.singular[:1].lower() in "aeiou" else "a"
    return _EN_NUMBERS[count] if count <= 10 else str(count)


def _en_counted(noun: Noun, count: int) -> str:
    return f"{_en_number(count, noun)} {noun.singular if count == 1 else noun.plural}"


def _join(items: list[str], conjunction: str) -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _area(box: Box) -> int:
    return max(0, box.width) * max(0, box.height)


def _third(box: Box, width: int) -> int:
    """0, 1 or 2: the third of the picture (left, centre, right) that holds the box's centre."""
    if width <= 0:
        return 1
    centre = box.x + box.width / 2
    return 0 if centre < width / 3 else 2 if centre > 2 * width / 3 else 1


SAID_CHARS = 120
"""The most of the written text quoted in a description (cut at a word, with "…"); the whole text
is in the answer's ``text``. Long enough for a sign, a label or a bus's destination, short enough to
hear in a few seconds."""
_SAYS = {"es": (". Hay un texto que dice: «{}».", "Se ve un texto que dice: «{}»."),
         "en": (". There is text that says: “{}”.", "I can see some text that says: “{}”.")}


def with_written_text(description: str, text: str, lang: str = "es") -> str:
    """``description`` ending with what is written in the photo, in a sentence of its own: "Veo una
    persona en el centro. Hay un texto que dice: «Prohibido el paso»." (not "…; dice:", which a
    listener would take for the person's words); one that found nothing becomes "Se ve un texto que
    dice: «…».".
    Unchanged when ``text`` is blank or the description already quotes it (a captioner that reads).
    The lines are joined by spaces, as they are read aloud; past ``SAID_CHARS`` the quote ends at a
    word with "…"."""
    english = lang.strip().lower().startswith("en")
    said = quoted_part(text)
    if not said or _already_said(description, said):
        return description
    sentence, alone = _SAYS["en" if english else "es"]
    stripped = description.strip()
    if not stripped or stripped == NOTHING["en" if english else "es"]:
        return alone.format(said)
    body = stripped.rstrip(" .")
    if body.endswith(("!", "?", "…")):
        return f"{body} {sentence.removeprefix('. ').format(said)}"
    return body + sentence.format(said)


def quoted_part(text: str, limit: int = SAID_CHARS) -> str:
    """``text`` on one line (runs of spaces and line breaks as one space), cut before ``limit``
    characters at the end of a word, with "…" when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if flat[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def _already_said(description: str, said: str) -> bool:
    """Whether a description (a remote captioner's, which may read) already has the text: at least two
    words of it, as whole words. One word is not enough ("a stop sign" does not say "STOP" is written)."""
    words = said.removesuffix("…").split()
    if len(words) < 2:
        return False
    pattern = r"(?<!\w)" + r"\W+".join(re.escape(word) for word in words) + r"(?!\w)"
    return re.search(pattern, description, re.IGNORECASE) is not None

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ova.domain.coco_labels import SPANISH, english_noun, spanish_noun
from ova.domain.descriptions import describe_scene
from ova.domain.vision import Box, DetectedObject

WIDTH, HEIGHT = 900, 600


def obj(label: str, x: int, width: int = 100, height: int = 100, confidence: float = 0.9) -> DetectedObject:
    return DetectedObject(label=label, confidence=confidence, box=Box(x=x, y=50, width=width, height=height))


BUS_SCENE = [
    obj("person", 10),
    obj("person", 400),
    obj("person", 780),
    obj("bus", 300, width=300, height=400, confidence=0.66),
    obj("skateboard", 700, width=40, height=20, confidence=0.43),
]


def test_spanish_counts_with_plurals_articles_and_the_place_of_the_largest_object() -> None:
    sentence = describe_scene(BUS_SCENE, WIDTH, HEIGHT, "es")
    assert sentence == "Veo tres personas, un autobús y un monopatín; el autobús está en el centro."


def test_english_counts_with_irregular_plurals() -> None:
    sentence = describe_scene(BUS_SCENE, WIDTH, HEIGHT, "en")
    assert sentence == "I can see three people, a bus and a skateboard; the bus is in the centre."


def test_spanish_is_the_default_language() -> None:
    assert describe_scene(BUS_SCENE, WIDTH, HEIGHT, "fr") == describe_scene(BUS_SCENE, WIDTH, HEIGHT, "es")


def test_one_object_is_named_with_its_place() -> None:
    tie = [obj("tie", 750)]
    assert describe_scene(tie, WIDTH, HEIGHT, "es") == "Veo una corbata a la derecha."
    assert describe_scene(tie, WIDTH, HEIGHT, "en") == "I can see a tie on the right."
    assert describe_scene([obj("apple", 350)], WIDTH, HEIGHT, "en") == "I can see an apple in the centre."


def test_feminine_and_masculine_plurals_agree() -> None:
    scene = [obj("bus", 10), obj("bus", 20), obj("tie", 500), obj("tie", 600), obj("tie", 700, width=300)]
    sentence = describe_scene(scene, WIDTH, HEIGHT, "es")
    assert sentence.startswith("Veo tres corbatas y dos autobuses; ")
    assert sentence.endswith("la corbata más destacada está a la derecha.")


def test_a_group_all_in_one_place_is_placed_together() -> None:
    scene = [obj("person", 10), obj("person", 120, width=150), obj("dog", 700, width=50)]
    spanish = "Veo dos personas y un perro; las dos personas están a la izquierda."
    assert describe_scene(scene, WIDTH, HEIGHT, "es") == spanish
    english = "I can see two people and a dog; the two people are on the left."
    assert describe_scene(scene, WIDTH, HEIGHT, "en") == english
    assert describe_scene(scene[:2], WIDTH, HEIGHT, "es") == "Veo dos personas a la izquierda."


def test_numbers_past_ten_are_digits() -> None:
    crowd = [obj("person", 10 * i) for i in range(12)]
    assert describe_scene(crowd, WIDTH, HEIGHT, "es").startswith("Veo 12 personas")
    assert describe_scene(crowd[:10], WIDTH, HEIGHT, "en").startswith("I can see ten people")


def test_nothing_detected_is_said_honestly() -> None:
    assert describe_scene([], WIDTH, HEIGHT, "es") == "No se reconocen objetos en la imagen."
    assert describe_scene([], WIDTH, HEIGHT, "en") == "I can't recognise any objects in the image."


def test_only_the_labels_detected_are_mentioned() -> None:
    sentence = describe_scene([obj("cat", 10), obj("laptop", 400)], WIDTH, HEIGHT, "es")
    assert "gato" in sentence and "portátil" in sentence
    others = {noun.singular for label, noun in SPANISH.items() if label not in {"cat", "laptop"}}
    assert not [word for word in others if f" {word} " in f" {sentence} "]


def test_darknet_and_hugging_face_names_of_the_same_object_read_the_same() -> None:
    assert spanish_noun("motorbike") == spanish_noun("motorcycle")
    assert spanish_noun("tvmonitor").singular == "televisor"
    assert english_noun("diningtable").singular == "dining table"


def test_an_unknown_label_keeps_its_english_word() -> None:
    assert describe_scene([obj("Widget", 10)], WIDTH, HEIGHT, "es") == "Veo un widget a la izquierda."


@pytest.mark.parametrize(
    ("label", "one", "two"),
    [
        ("person", "una persona", "dos personas"),
        ("bus", "un autobús", "dos autobuses"),
        ("tie", "una corbata", "dos corbatas"),
        ("skateboard", "un monopatín", "dos monopatines"),
        ("scissors", "un par de tijeras", "dos pares de tijeras"),
    ],
)
def test_spanish_articles_and_plurals(label: str, one: str, two: str) -> None:
    assert one in describe_scene([obj(label, 10)], WIDTH, HEIGHT, "es")
    assert two in describe_scene([obj(label, 10), obj(label, 20)], WIDTH, HEIGHT, "es")


detections = st.lists(
    st.builds(
        obj,
        label=st.sampled_from(sorted(SPANISH)),
        x=st.integers(0, WIDTH - 1),
        width=st.integers(1, WIDTH),
        height=st.integers(1, HEIGHT),
        confidence=st.floats(0.01, 1),
    ),
    max_size=25,
)


@given(objects=detections, lang=st.sampled_from(["es", "en"]))
def test_any_detections_give_one_sentence_naming_every_label(objects: list[DetectedObject], lang: str) -> None:
    sentence = describe_scene(objects, WIDTH, HEIGHT, lang)
    assert sentence and sentence.endswith(".") and sentence[0].isupper()
    assert sentence.count(".") == 1
    for label, count in Counter(o.label for o in objects).items():
        noun = spanish_noun(label) if lang == "es" else english_noun(label)
        assert (noun.singular if count == 1 else noun.plural) in sentence

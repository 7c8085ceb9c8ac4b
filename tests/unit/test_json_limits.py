"""The edge's checks of JSON text: nesting depth outside strings, and lone surrogates."""

from __future__ import annotations

import json

import pytest

from ova.entrypoints.asgi.json_limits import (
    MAX_JSON_DEPTH,
    lone_surrogate_at,
    may_hold_surrogate,
    nesting_depth,
    too_deep,
)


def nested(depth: int) -> str:
    return '{"a":' * (depth - 1) + "[1]" + "}" * (depth - 1)


@pytest.mark.parametrize(("text", "depth"), [
    ("1", 0), ('"x"', 0), ("[]", 1), ("{}", 1), ('{"a": [1, {"b": []}]}', 4),
    ('[[1], [2], [[3]]]', 3), ('{"a": "[[[[{{{{"}', 1), ('{"a": "\\"[[[", "b": "\\\\", "c": [[]]}', 3),
    ("[" * 100_000 + "]" * 100_000, 100_000), ("[" * 70, 70),
])
def test_nesting_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_too_deep_is_past_the_limit_only() -> None:
    assert not too_deep(nested(MAX_JSON_DEPTH))
    assert too_deep(nested(MAX_JSON_DEPTH + 1))
    assert too_deep("[" * 100_000 + "]" * 100_000)
    assert too_deep(nested(20_000))
    assert not too_deep(json.dumps({"texto": "[" * 1000}))  # brackets in a string do not nest
    assert not too_deep(json.dumps([[i] for i in range(1000)]))  # many brackets, two levels


@pytest.mark.parametrize("text", ['{"email": "a\\ud800@b.c"}', '["\\uDFFF"]', '{"a": "\\udbff"}', '"\ud800"'])
def test_texts_that_may_hold_a_surrogate(text: str) -> None:
    assert may_hold_surrogate(text)


@pytest.mark.parametrize("text", ['{"email": "a@b.c"}', '{"a": "\\u00e9\\ud7ff"}', '{"a": "ñandú 😀"}', "[]"])
def test_texts_that_cannot_hold_a_surrogate(text: str) -> None:
    assert not may_hold_surrogate(text)


@pytest.mark.parametrize(("raw", "where"), [
    ('{"email": "a\\ud800@b.c", "password": "x"}', "email"),
    ('{"items": [{"nombre": "ok"}, {"nombre": "\\udc00"}]}', "items.1.nombre"),
    ('{"a": {"\\ud800": 1}}', "a"),
    ('"\\ud800"', "body"),
    ('{"\\udfff": 1}', "body"),
    ('{"ok": "\\ud83d\\ude00", "n": [1, null, true]}', None),  # a pair is one character
])
def test_lone_surrogate_at_names_the_field(raw: str, where: str | None) -> None:
    assert lone_surrogate_at(json.loads(raw)) == where

"""The boundary converter: strict JSON → attrs, Spanish field errors, and attrs → JSON."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ova.domain.errors import InvalidInput
from ova.domain.text import Email, Password, Text
from ova.domain.users import Role
from ova.entrypoints.asgi.converter import FieldError, RequestValidationError, dump, parse


@attrs.frozen
class Item:
    nombre: str = attrs.field(validator=Text(max_length=5))
    cantidad: int = 1


@attrs.frozen
class Signup:
    nombre: str = attrs.field(validator=Text(max_length=20))
    email: str = attrs.field(validator=Email())
    password: str = attrs.field(validator=Password())
    rol: Role = Role.USER
    edad: int | None = None
    peso: float = 0.0
    activo: bool = True
    nota: str | None = attrs.field(default=None, validator=attrs.validators.optional(Text(multiline=True)))
    items: list[Item] = attrs.field(factory=list)
    extra: dict[str, int] = attrs.field(factory=dict)
    etiquetas: tuple[str, ...] = ()
    modo: Literal["a", "b"] = "a"
    cuando: datetime | None = None


VALID: dict[str, Any] = {"nombre": "Ana", "email": "ana@example.com", "password": "s3creta-larga"}


def errors_of(cls: type[Any], data: object) -> dict[str, str]:
    with pytest.raises(RequestValidationError) as caught:
        parse(cls, data)
    return {e.field: e.message for e in caught.value.errors}


def test_a_valid_body_is_structured_and_extra_keys_are_ignored() -> None:
    signup = parse(Signup, {**VALID, "rol": "admin", "desconocido": [1, 2], "items": [{"nombre": "x"}]})
    assert signup.rol is Role.ADMIN
    assert signup.items == [Item("x")]
    assert signup.edad is None


def test_text_is_kept_exactly_as_sent() -> None:
    assert parse(Signup, {**VALID, "nombre": "  Ana  "}).nombre == "  Ana  "
    assert parse(Signup, {**VALID, "nota": "línea 1\nlínea 2\t"}).nota == "línea 1\nlínea 2\t"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nombre", 123, "debe ser texto"),
        ("nombre", None, "debe ser texto"),
        ("edad", "12", "debe ser un número entero"),
        ("edad", 1.5, "debe ser un número entero"),
        ("edad", True, "debe ser un número entero"),
        ("peso", "1.5", "debe ser un número"),
        ("peso", False, "debe ser un número"),
        ("activo", 1, "debe ser verdadero o falso"),
        ("activo", "true", "debe ser verdadero o falso"),
        ("rol", "root", "debe ser uno de: usuario, admin"),
        ("rol", 1, "debe ser uno de: usuario, admin"),
        ("modo", "c", "debe ser uno de: a, b"),
        ("items", "abc", "debe ser una lista"),
        ("items", {"nombre": "x"}, "debe ser una lista"),
        ("etiquetas", "abc", "debe ser una lista"),
        ("extra", [], "debe ser un objeto"),
        ("cuando", "2026-11-24T21:08:14", "debe ser una fecha ISO 8601 con zona horaria"),
        ("cuando", 1700000000, "debe ser una fecha ISO 8601 con zona horaria"),
    ],
)
def test_scalars_are_strict(field: str, value: object, message: str) -> None:
    assert errors_of(Signup, {**VALID, field: value}) == {field: message}


def test_numbers_and_optionals_accept_what_json_sends() -> None:
    signup = parse(Signup, {**VALID, "edad": 30, "peso": 70, "activo": False, "nota": None})
    assert (signup.edad, signup.peso, signup.activo) == (30, 70.0, False)
    assert isinstance(signup.peso, float)
    # JSON Schema's ``integer`` includes ``30.0``; the published schema and the parser must agree.
    edad = parse(Signup, {**VALID, "edad": 30.0}).edad
    assert edad == 30
    assert type(edad) is int


def test_missing_fields_are_all_reported() -> None:
    assert errors_of(Signup, {}) == {
        "nombre": "campo obligatorio",
        "email": "campo obligatorio",
        "password": "campo obligatorio",
    }


def test_validator_messages_are_reported_per_field_alongside_type_errors() -> None:
    errors = errors_of(Signup, {"nombre": "   ", "email": "no-es-email", "password": "corta", "edad": "x"})
    assert errors == {
        "nombre": "no puede estar vacío",
        "email": "no es un email válido",
        "password": "debe tener entre 8 y 1024 caracteres",
        "edad": "debe ser un número entero",
    }


def test_nested_paths_are_dotted() -> None:
    data = {**VALID, "items": [{"nombre": "ok"}, {"nombre": "largo de más"}, {"cantidad": "2"}, 7]}
    assert errors_of(Signup, {**data, "extra": {"k": "v"}}) == {
        "items.1.nombre": "no puede superar 5 caracteres",
        "items.2.nombre": "campo obligatorio",
        "items.2.cantidad": "debe ser un número entero",
        "items.3": "se esperaba un objeto JSON",
        "extra.k": "debe ser un número entero",
    }


@pytest.mark.parametrize("body", [[], "texto", 3, None, True])
def test_a_body_that_is_not_an_object_is_refused(body: object) -> None:
    assert errors_of(Signup, body) == {"body": "se esperaba un objeto JSON"}


def test_the_error_carries_a_spanish_summary() -> None:
    with pytest.raises(RequestValidationError) as caught:
        parse(Signup, {"nombre": "Ana", "email": "x"})
    error = caught.value
    assert error.errors == [
        FieldError("email", "no es un email válido"),
        FieldError("password", "campo obligatorio"),
    ]
    assert error.detail == "Datos inválidos: email: no es un email válido; password: campo obligatorio"
    assert error.code == "validation_error"


@attrs.frozen
class Range:
    low: int
    high: int

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise InvalidInput("debe ser mayor que low", field="high")


def test_errors_raised_by_the_class_itself_are_reported() -> None:
    assert errors_of(Range, {"low": 2, "high": 1}) == {"high": "debe ser mayor que low"}


@attrs.frozen
class Aliased:
    _secreto: str


def test_fields_are_read_and_written_by_alias() -> None:
    assert parse(Aliased, {"secreto": "x"}) == Aliased("x")
    assert dump(Aliased("x")) == {"secreto": "x"}


class Old(str, enum.Enum):  # noqa: UP042 - the old spelling dispatches differently in cattrs
    UNO = "uno"


@attrs.frozen
class WithEnums:
    rol: Role
    old: Old


def test_enums_go_by_value_both_ways() -> None:
    parsed = parse(WithEnums, {"rol": "usuario", "old": "uno"})
    assert parsed == WithEnums(Role.USER, Old.UNO)
    assert dump(parsed) == {"rol": "usuario", "old": "uno"}
    assert type(dump(parsed)["rol"]) is str


@attrs.frozen
class Stamp:
    at: datetime


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 11, 24, 21, 8, 14, tzinfo=UTC), "2026-11-24T21:08:14Z"),
        (datetime(2026, 11, 24, 21, 8, 14), "2026-11-24T21:08:14Z"),  # naive: taken as UTC
        (datetime(2026, 11, 24, 22, 8, 14, tzinfo=timezone(timedelta(hours=1))), "2026-11-24T21:08:14Z"),
        (datetime(2026, 11, 24, 21, 8, 14, 250000, tzinfo=UTC), "2026-11-24T21:08:14.250000Z"),
    ],
)
def test_datetimes_are_iso_8601_in_utc(value: datetime, text: str) -> None:
    assert dump(Stamp(value)) == {"at": text}
    assert parse(Stamp, {"at": text}).at == value.replace(tzinfo=value.tzinfo or UTC)


def test_dump_handles_lists_of_objects() -> None:
    assert dump([Item("a"), Item("b", 2)]) == [{"nombre": "a", "cantidad": 1}, {"nombre": "b", "cantidad": 2}]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from([f.name for f in attrs.fields(Signup)] + ["otro"])
bodies = st.dictionaries(field_names, json_values) | json_values
item_bodies = st.dictionaries(st.sampled_from(["nombre", "cantidad"]), json_values)
signup_bodies = st.fixed_dictionaries(
    {}, optional={"items": st.lists(item_bodies | json_values, max_size=3), "nombre": json_values}
).map(lambda d: {**VALID, **d})


@settings(max_examples=400, deadline=None)
@given(bodies | signup_bodies)
def test_parse_only_ever_succeeds_or_raises_request_validation_error(body: object) -> None:
    outcome: object
    try:
        outcome = parse(Signup, body)
    except RequestValidationError as error:
        outcome = error.errors
    if not isinstance(outcome, Signup):
        assert isinstance(outcome, list)
        assert outcome
        assert all(isinstance(e.field, str) and e.message for e in outcome)


@attrs.frozen
class Bag:
    valores: dict[str, int]


def test_mapping_keys_are_kept_verbatim_in_paths() -> None:
    assert errors_of(Bag, {"valores": {".raro": "x"}}) == {"valores..raro": "debe ser un número entero"}

"""The OpenAPI generator: schemas derived from the attrs classes, and a valid 3.1 document."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

import attrs
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ova.domain.errors import InvalidInput
from ova.domain.text import Email, Password, Text
from ova.domain.users import Role
from ova.entrypoints.asgi.converter import RequestValidationError, dump, parse
from ova.entrypoints.http.openapi import (
    OperationSpec,
    QueryParam,
    SchemaRegistry,
    error_statuses,
    openapi_document,
)
from ova.entrypoints.http.openapi.patterns import WHITESPACE, email_pattern, text_pattern


@attrs.frozen
class Address:
    """Where someone lives."""

    calle: str = attrs.field(validator=Text(max_length=80), metadata={"description": "Calle y número"})


@attrs.frozen
class Person:
    """Someone who signs up."""

    nombre: str = attrs.field(validator=Text(min_length=2, max_length=50))
    email: str = attrs.field(validator=Email())
    password: str = attrs.field(validator=Password())
    bio: str | None = attrs.field(default=None, validator=attrs.validators.optional(Text(multiline=True)))
    rol: Role = Role.USER
    edad: int = attrs.field(default=18, validator=[attrs.validators.ge(0), attrs.validators.le(150)])
    direcciones: list[Address] = attrs.field(factory=list)
    casa: Address | None = None
    puntos: dict[str, float] = attrs.field(factory=dict)
    modo: Literal["claro"] = "claro"
    alta: datetime | None = None
    activo: bool = True


def component(registry: SchemaRegistry, cls: type[Any]) -> dict[str, Any]:
    registry.ref(cls)
    return registry.components()[cls.__name__]


def test_ref_registers_the_class_and_the_classes_it_mentions() -> None:
    registry = SchemaRegistry()
    assert registry.ref(Person) == {"$ref": "#/components/schemas/Person"}
    assert set(registry.components()) == {"Person", "Address"}


def test_a_class_schema_carries_types_constraints_and_required() -> None:
    schema = component(SchemaRegistry(), Person)
    props = schema["properties"]
    assert schema["type"] == "object"
    assert schema["description"] == "Someone who signs up."
    assert schema["required"] == ["nombre", "email", "password"]
    assert props["nombre"]["type"] == "string"
    assert (props["nombre"]["minLength"], props["nombre"]["maxLength"]) == (2, 50)
    assert "format" not in props["email"]  # see _constraints: the pattern says it exactly
    assert props["email"]["pattern"] == email_pattern(Email())
    assert props["email"]["maxLength"] == 254
    assert (props["password"]["minLength"], props["password"]["maxLength"]) == (8, 1024)
    assert props["bio"]["anyOf"][1] == {"type": "null"}
    assert props["bio"]["anyOf"][0]["maxLength"] == 255
    assert props["rol"] == {"type": "string", "enum": ["usuario", "admin"], "default": "usuario"}
    assert props["edad"] == {"type": "integer", "minimum": 0, "maximum": 150, "default": 18}
    assert props["direcciones"] == {"type": "array", "items": {"$ref": "#/components/schemas/Address"}}
    assert props["casa"] == {"anyOf": [{"$ref": "#/components/schemas/Address"}, {"type": "null"}], "default": None}
    assert props["puntos"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert props["modo"] == {"type": "string", "const": "claro", "default": "claro"}
    assert props["alta"]["anyOf"][0] == {"type": "string", "format": "date-time"}
    assert props["activo"] == {"type": "boolean", "default": True}


def test_field_descriptions_come_from_metadata() -> None:
    schema = component(SchemaRegistry(), Address)
    assert schema["properties"]["calle"]["description"] == "Calle y número"
    assert schema["description"] == "Where someone lives."


def test_two_classes_with_one_name_are_refused() -> None:
    registry = SchemaRegistry()
    registry.ref(Address)
    other = attrs.make_class("Address", {"x": attrs.field(type=int)})
    with pytest.raises(ValueError, match="Address"):
        registry.ref(other)


def test_component_schemas_are_valid_json_schema() -> None:
    registry = SchemaRegistry()
    registry.ref(Person)
    for schema in registry.components().values():
        jsonschema_rs.meta.validate(schema)


def test_whitespace_is_what_str_strip_removes() -> None:
    assert {c for c in range(0x110000) if chr(c).isspace()} == WHITESPACE


def accepts(validator: Any, value: str) -> bool:
    try:
        validator(None, None, value)
    except InvalidInput:
        return False
    return True


RULES = [Text(), Text(min_length=0), Text(min_length=2), Text(min_length=3, max_length=9),
         Text(multiline=True), Text(min_length=4, multiline=True), Text(min_length=2, strip=False)]
tricky = st.sampled_from([*"aZ é.@-1😀", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "\x85", "\xa0",
                          "\u2028", "\u3000", "\u200b"])
strings = st.lists(tricky, max_size=12).map("".join) | st.text(max_size=12)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(strings, st.sampled_from(RULES))
def test_text_patterns_accept_exactly_what_the_validator_accepts(value: str, rule: Text) -> None:
    schema = {"type": "string", "pattern": text_pattern(rule), "minLength": rule.min_length,
              "maxLength": rule.max_length}
    assert jsonschema_rs.is_valid(schema, value) == accepts(rule, value)
    re.compile(text_pattern(rule))  # hypothesis draws from it with Python's ``re``


emails = st.emails().map(str) | st.from_regex(r"\s?[a-z.]{0,4}@[a-z0-9.-]{0,8}\s?", fullmatch=True) | strings


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(emails)
def test_the_email_pattern_accepts_exactly_what_the_validator_accepts(value: str) -> None:
    schema = {"type": "string", "pattern": email_pattern(Email()), "maxLength": 254}
    assert jsonschema_rs.is_valid(schema, value) == accepts(Email(), value)


@settings(max_examples=300, deadline=None)
@given(strings)
def test_the_password_schema_accepts_exactly_what_the_validator_accepts(value: str) -> None:
    schema = component(SchemaRegistry(), Person)["properties"]["password"]
    assert jsonschema_rs.is_valid(schema, value) == accepts(Password(min_length=8), value)


@attrs.frozen
class UserOut:
    id: int
    nombre: str
    rol: Role


ROUTES = [
    OperationSpec(path="/auth/register", method="POST", summary="Crear cuenta", tags=["auth"],
                  request=Person, response=UserOut, status=201, errors=(409,), rate_limited=True),
    OperationSpec(path="/usuarios", method="GET", summary="Listar", tags=["usuarios"], auth="admin",
                  response=list[UserOut],
                  query=[QueryParam("skip", int, minimum=0, default=0),
                         QueryParam("limit", int, minimum=1, maximum=500, default=100),
                         QueryParam("q", str, description="Filtro por nombre o email")]),
    OperationSpec(path="/usuarios/{user_id:int}", method="DELETE", summary="Borrar", tags=["usuarios"],
                  auth="admin", status=204, errors=(409,)),
    OperationSpec(path="/auth/login", method="POST", summary="Entrar", request=Person, request_form=Person),
]


def document() -> dict[str, Any]:
    return openapi_document(title="OVA", version="1.0.0", description="API de OVA", routes=ROUTES,
                            registry=SchemaRegistry())


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document()
    OPENAPI_31_VALIDATOR.validate(doc)
    assert doc["openapi"] == "3.1.0"
    loaded = schemathesis.openapi.from_dict(doc)
    labels = {result.ok().label for result in loaded.get_all_operations()}  # type: ignore[union-attr]
    assert labels == {"POST /auth/register", "GET /usuarios", "DELETE /usuarios/{user_id}", "POST /auth/login"}


def test_every_operation_declares_its_error_statuses() -> None:
    paths = document()["paths"]
    register = paths["/auth/register"]["post"]
    assert set(register["responses"]) == {"201", "400", "409", "413", "415", "422", "429", "500", "503"}
    assert register["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Person"}
    assert "security" not in register
    listing = paths["/usuarios"]["get"]
    assert set(listing["responses"]) == {"200", "401", "403", "422", "500", "503"}
    assert listing["security"] == [{"bearerAuth": []}]
    assert listing["responses"]["200"]["headers"]["X-Total-Count"]["schema"]["type"] == "integer"
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"$ref": "#/components/schemas/UserOut"}}
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}
    delete = paths["/usuarios/{user_id}"]["delete"]
    assert "content" not in delete["responses"]["204"]
    assert set(delete["responses"]) == {"204", "401", "403", "404", "409", "500", "503"}
    assert delete["parameters"][0]["in"] == "path"
    assert delete["parameters"][0]["schema"]["type"] == "integer"
    login = paths["/auth/login"]["post"]
    assert set(login["requestBody"]["content"]) == {"application/json", "application/x-www-form-urlencoded"}


def test_error_responses_share_the_error_schema_and_headers() -> None:
    components = document()["components"]
    assert components["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer",
                                                           "bearerFormat": "JWT"}
    error = components["schemas"]["Error"]
    assert error["required"] == ["detail", "code"]
    assert error["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ErrorField"}
    responses = components["responses"]
    assert responses["Unauthorized"]["headers"]["WWW-Authenticate"]["required"] is True
    assert responses["TooManyRequests"]["headers"]["Retry-After"]["required"] is True
    for response in responses.values():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_error_statuses_follow_from_the_spec() -> None:
    assert error_statuses(OperationSpec(path="/x", method="GET", summary="x")) == [500, 503]
    assert error_statuses(OperationSpec(path="/x", method="GET", summary="x", auth="user", errors=(404,))) == [
        401, 403, 404, 500, 503]


def test_a_repeated_route_is_refused() -> None:
    twice = [ROUTES[0], ROUTES[0]]
    with pytest.raises(ValueError, match="twice"):
        openapi_document(title="t", version="1", description="d", routes=twice, registry=SchemaRegistry())


# --- schemathesis against a tiny app that parses with ``parse``: the schema and the parser agree --


@attrs.frozen
class Item:
    nombre: str = attrs.field(validator=Text(max_length=5))
    cantidad: int = 1


@attrs.frozen
class Signup:
    nombre: str = attrs.field(validator=Text(min_length=2, max_length=20))
    email: str = attrs.field(validator=Email())
    password: str = attrs.field(validator=Password())
    rol: Role = Role.USER
    nota: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(Text(multiline=True, max_length=50)))
    items: list[Item] = attrs.field(factory=list)
    edad: int | None = attrs.field(
        default=None, validator=attrs.validators.optional([attrs.validators.ge(0), attrs.validators.le(150)]))


def _error(status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


async def _register(request: Request) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(415, "unsupported_media_type", "Se esperaba application/json.")
    try:
        data = json.loads(await request.body())
    except ValueError:
        return _error(400, "invalid_json", "JSON inválido.")
    try:
        signup = parse(Signup, data)
    except RequestValidationError as error:
        return _error(422, error.code, error.detail, [attrs.asdict(e) for e in error.errors])
    return JSONResponse(dump(UserOut(1, signup.nombre, signup.rol)), status_code=201)


SIGNUP_ROUTES = [OperationSpec(path="/register", method="POST", summary="r", request=Signup, response=UserOut,
                               status=201)]
SIGNUP_DOC = openapi_document(title="t", version="1", description="d", routes=SIGNUP_ROUTES,
                              registry=SchemaRegistry())
signup_app = Starlette(routes=[Route("/register", _register, methods=["POST"])])
signup_schema = schemathesis.openapi.from_dict(SIGNUP_DOC)
signup_schema.config.update(base_url="http://testserver")


@signup_schema.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_the_schema_and_the_parser_in_agreement(case: Any) -> None:
    case.call_and_validate(app=signup_app)

"""JSON Schema (OpenAPI 3.1 dialect) derived from the attrs classes that ``parse`` structures.

Lengths, formats and patterns come from the validators on each attribute (``Text``, ``Email``,
``Password`` and attrs' own ``min_len``/``max_len``/``ge``/``le``/``in_``), so the published schema
and the parser cannot disagree. A field's ``metadata["schema"]`` adds to (or overrides) what its
validators give, for rules a validator does not carry (a base64 payload's ``pattern``).
Property names are attrs aliases, as in ``api_converter``.
"""

from __future__ import annotations

import enum
import inspect
import types
from collections.abc import Iterator, Mapping, MutableSequence, Sequence
from datetime import date, datetime
from typing import Any, Literal, Union, get_args, get_origin

import attrs

from ova.domain.text import Email, Password, Text
from ova.entrypoints.http.openapi.patterns import email_pattern, password_pattern, text_pattern

JsonSchema = dict[str, Any]

_NULL: JsonSchema = {"type": "null"}
_BOUNDS = {">=": "minimum", "<=": "maximum", ">": "exclusiveMinimum", "<": "exclusiveMaximum"}


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "number" if isinstance(value, float) else "string"


def _enum_schema(values: Sequence[object]) -> JsonSchema:
    plain = [v.value if isinstance(v, enum.Enum) else v for v in values]
    kinds = sorted({_json_type(v) for v in plain})
    schema: JsonSchema = {"type": kinds[0] if len(kinds) == 1 else kinds}
    if len(plain) == 1:
        schema["const"] = plain[0]
    else:
        schema["enum"] = plain
    return schema


def iter_validators(validator: object) -> Iterator[object]:
    """Flatten attrs' ``and_`` composites (and lists) and ``optional`` wrappers."""
    if validator is None:
        return
    if isinstance(validator, list | tuple):
        for item in validator:
            yield from iter_validators(item)
    elif type(validator).__name__ == "_AndValidator":
        yield from iter_validators(getattr(validator, "_validators", ()))
    elif type(validator).__name__ == "_OptionalValidator":
        yield from iter_validators(getattr(validator, "validator", None))
    else:
        yield validator


def _constraints(validator: object) -> JsonSchema:
    """What one validator adds to the schema of the value it checks (``{}`` if unknown)."""
    if isinstance(validator, Text):
        return {"minLength": validator.min_length, "maxLength": validator.max_length,
                "pattern": text_pattern(validator)}
    if isinstance(validator, Password):
        return {"minLength": validator.min_length, "maxLength": validator.max_length,
                "pattern": password_pattern(validator)}
    if isinstance(validator, Email):
        # No ``format: email``: its checkers refuse addresses ``is_valid_email`` accepts (``josé@``),
        # and schemathesis then expects a rejection. The pattern is the validator's exact language.
        return {"maxLength": validator.max_length, "pattern": email_pattern(validator)}
    name = type(validator).__name__
    if name == "_MinLengthValidator":
        return {"minLength": getattr(validator, "min_length")}  # noqa: B009
    if name == "_MaxLengthValidator":
        return {"maxLength": getattr(validator, "max_length")}  # noqa: B009
    if name == "_NumberValidator" and getattr(validator, "compare_op", None) in _BOUNDS:
        return {_BOUNDS[getattr(validator, "compare_op")]: getattr(validator, "bound")}  # noqa: B009
    if name == "_InValidator":
        return {"enum": [o.value if isinstance(o, enum.Enum) else o for o in getattr(validator, "options")]}  # noqa: B009
    return {}


_ARRAY_KEYS = {"minLength": "minItems", "maxLength": "maxItems"}


def _constrain(schema: JsonSchema, extra: JsonSchema) -> JsonSchema:
    """Apply validator constraints to the non-null branch of ``schema``."""
    if not extra:
        return schema
    if "anyOf" in schema and _NULL in schema["anyOf"]:
        branches = [b if b == _NULL else _constrain(b, extra) for b in schema["anyOf"]]
        return {**schema, "anyOf": branches}
    if schema.get("type") == "array":
        extra = {_ARRAY_KEYS.get(k, k): v for k, v in extra.items() if k in _ARRAY_KEYS}
    return {**schema, **extra}


def _is_homogenous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _default(value: object) -> object:
    """A field default as JSON, or ``inspect.Parameter.empty`` when it has none to publish."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return inspect.Parameter.empty


class SchemaRegistry:
    """Collects the component schemas that an OpenAPI document references.

    ``ref(cls)`` registers an attrs class (and, recursively, the attrs classes it mentions) and
    returns its ``$ref``; ``schema_for(tp)`` gives the inline schema of any supported type
    (``list[User]``, ``int | None`` …); ``components()`` gives ``{name: schema}``.
    """

    def __init__(self) -> None:
        self._schemas: dict[str, JsonSchema] = {}
        self._classes: dict[str, type[Any]] = {}

    def ref(self, cls: type[Any]) -> JsonSchema:
        name = cls.__name__
        known = self._classes.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"two classes are both called {name!r} in the OpenAPI schema")
        if known is None:
            self._classes[name] = cls
            self._schemas[name] = {}  # placeholder first: a class may refer to itself
            self._schemas[name] = self._class_schema(cls)
        return {"$ref": f"#/components/schemas/{name}"}

    def add(self, name: str, schema: JsonSchema) -> JsonSchema:
        """Register a hand-written component (the shared ``Error``) and return its ``$ref``."""
        if name in self._classes or self._schemas.get(name, schema) != schema:
            raise ValueError(f"the component {name!r} is already defined")
        self._schemas[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    def components(self) -> dict[str, JsonSchema]:
        return {name: self._schemas[name] for name in sorted(self._schemas)}

    def schema_for(self, tp: Any) -> JsonSchema:
        """The schema of a type; attrs classes become ``$ref``s to their registered component."""
        origin, args = get_origin(tp), get_args(tp)
        if tp is None or tp is type(None):
            return dict(_NULL)
        if tp is Any or tp is object:
            return {}
        if origin in (Union, types.UnionType):
            branches = [self.schema_for(a) for a in args if a is not type(None)]
            schema = branches[0] if len(branches) == 1 else {"anyOf": branches}
            return {"anyOf": [schema, dict(_NULL)]} if type(None) in args else schema
        if origin is Literal:
            return _enum_schema(args)
        if origin in (list, Sequence, MutableSequence) or tp is list or _is_homogenous_tuple(tp):
            return {"type": "array", "items": self.schema_for(args[0] if args else Any)}
        if origin in (dict, Mapping) or tp is dict:
            return {"type": "object", "additionalProperties": self.schema_for(args[1] if args else Any)}
        if isinstance(tp, type):
            if attrs.has(tp):
                return self.ref(tp)
            if issubclass(tp, enum.Enum):
                return _enum_schema(list(tp))
            return self._scalar(tp)
        raise TypeError(f"no JSON Schema for {tp!r}")

    @staticmethod
    def _scalar(tp: type[Any]) -> JsonSchema:
        if issubclass(tp, bool):
            return {"type": "boolean"}
        if issubclass(tp, int):
            return {"type": "integer"}
        if issubclass(tp, float):
            return {"type": "number"}
        if issubclass(tp, str):
            return {"type": "string"}
        if issubclass(tp, datetime):
            return {"type": "string", "format": "date-time"}
        if issubclass(tp, date):
            return {"type": "string", "format": "date"}
        raise TypeError(f"no JSON Schema for {tp!r}")

    def _class_schema(self, cls: type[Any]) -> JsonSchema:
        attrs.resolve_types(cls)
        properties: dict[str, JsonSchema] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            key = field.alias or field.name
            schema = self.schema_for(field.type)
            for validator in iter_validators(field.validator):
                schema = _constrain(schema, _constraints(validator))
            if "schema" in field.metadata:  # what a validator cannot say (``contentEncoding`` …)
                schema = {**schema, **field.metadata["schema"]}
            if "description" in field.metadata:
                schema = {**schema, "description": str(field.metadata["description"])}
            if field.default is attrs.NOTHING and field.init:
                required.append(key)
            elif not isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                default = _default(field.default)
                if default is not inspect.Parameter.empty:
                    schema = {**schema, "default": default}
            properties[key] = schema
        result: JsonSchema = {"type": "object", "properties": properties}
        if required:
            result["required"] = required
        if cls.__doc__ and "__doc__" in vars(cls):
            result["description"] = inspect.cleandoc(cls.__doc__)
        return result

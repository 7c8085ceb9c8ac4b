"""JSON ⇄ attrs at the HTTP boundary.

``parse`` turns a decoded JSON body into an attrs request class, strictly (``"12"`` and ``1.5``
are not integers, ``1`` is not a boolean; ``2.0`` is an integer, as in JSON Schema) and with
every problem reported as a ``FieldError`` in Spanish. Unknown keys are ignored: the published
client sends extra fields. Strings are never altered.

``dump`` turns results back into JSON-ready values. Datetimes become ISO 8601 in UTC with a ``Z``
suffix; naive datetimes are taken to be UTC already. Microseconds are written only when nonzero
(``2026-11-24T21:08:14Z``, ``2026-11-24T21:08:14.250000Z``).

The JSON Schema published in OpenAPI is derived from the same attrs classes
(``ova.entrypoints.http.openapi.schema``), so the two cannot drift apart.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, MutableSequence, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
from cattrs import Converter
from cattrs.cols import list_structure_factory, mapping_structure_factory
from cattrs.errors import AttributeValidationNote, ClassValidationError, IterableValidationNote

from ova.domain.errors import DomainError

T = TypeVar("T")

__all__ = ["FieldError", "RequestValidationError", "api_converter", "dump", "dump_datetime", "parse"]


@attrs.frozen
class FieldError:
    """One problem with one field of a request; ``field`` is a dotted path (``items.0.nombre``)."""

    field: str
    message: str


class RequestValidationError(Exception):
    """A request body that does not fit its class; answered as 422 with ``errors``."""

    code = "validation_error"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        self.detail = "Datos inválidos: " + "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(self.detail)


class _InvalidValueError(ValueError):
    """A value that cannot be structured, carrying the Spanish message to publish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- strict scalars ---------------------------------------------------------------------------


def _structure_str(value: object, tp: Any) -> str:
    if tp is not str and _is_enum(tp):  # a ``class X(str, Enum)`` dispatches here
        return _structure_enum(value, tp)  # type: ignore[return-value]
    if not isinstance(value, str):
        raise _InvalidValueError("debe ser texto")
    return value


def _structure_int(value: object, tp: Any) -> int:
    if tp is not int and _is_enum(tp):
        return _structure_enum(value, tp)  # type: ignore[return-value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON Schema counts ``2.0`` as an integer, so the parser does too
    if isinstance(value, bool) or not isinstance(value, int):
        raise _InvalidValueError("debe ser un número entero")
    return value


def _structure_float(value: object, _: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _InvalidValueError("debe ser un número")
    try:
        number = float(value)
    except OverflowError:
        raise _InvalidValueError("debe ser un número") from None
    if not math.isfinite(number):
        raise _InvalidValueError("debe ser un número")
    return number


def _structure_bool(value: object, _: object) -> bool:
    if not isinstance(value, bool):
        raise _InvalidValueError("debe ser verdadero o falso")
    return value


def _structure_datetime(value: object, _: object) -> datetime:
    message = "debe ser una fecha ISO 8601 con zona horaria"
    if not isinstance(value, str):
        raise _InvalidValueError(message)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _InvalidValueError(message) from None
    if parsed.tzinfo is None:
        raise _InvalidValueError(message)
    return parsed


def dump_datetime(value: datetime) -> str:
    """A datetime as ``dump`` writes it (ISO 8601 in UTC, ``Z``)."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().removesuffix("+00:00") + "Z"


def _one_of(options: Sequence[object]) -> _InvalidValueError:
    return _InvalidValueError("debe ser uno de: " + ", ".join(str(o) for o in options))


def _same(a: object, b: object) -> bool:
    """Equality that does not confuse ``True`` with ``1``."""
    return type(a) is type(b) and a == b


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    for member in cls:
        if _same(member.value, value):
            return member
    raise _one_of([m.value for m in cls])


def _structure_literal(value: object, tp: Any) -> object:
    options = get_args(tp)
    for option in options:
        if _same(option.value if isinstance(option, enum.Enum) else option, value):
            return option
    raise _one_of([o.value if isinstance(o, enum.Enum) else o for o in options])


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _enum_value(value: object) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


# --- containers: a list must be a JSON array, a mapping a JSON object ---------------------------


def _is_literal(tp: Any) -> bool:
    return get_origin(tp) is Literal


def _is_list(tp: Any) -> bool:
    """``list[X]``, ``Sequence[X]`` and ``tuple[X, ...]``: all JSON arrays."""
    args = get_args(tp)
    homogenous_tuple = get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis
    return tp is list or get_origin(tp) in (list, Sequence, MutableSequence) or homogenous_tuple


def _is_dict(tp: Any) -> bool:
    return tp is dict or get_origin(tp) in (dict, Mapping)


def _list_factory(tp: Any, converter: Converter) -> Callable[[object, Any], Sequence[Any]]:
    inner = list_structure_factory(tp, converter)
    make = tuple if get_origin(tp) is tuple else list

    def structure(value: object, t: Any) -> Sequence[Any]:
        if not isinstance(value, list):
            raise _InvalidValueError("debe ser una lista")
        return make(inner(value, t))

    return structure


def _mapping_factory(tp: Any, converter: Converter) -> Callable[[object, Any], dict[Any, Any]]:
    inner = mapping_structure_factory(tp, converter)

    def structure(value: object, t: Any) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise _InvalidValueError("debe ser un objeto")
        return dict(inner(value, t))

    return structure


# --- attrs classes ------------------------------------------------------------------------------


def _key(field: attrs.Attribute[Any]) -> str:
    """The JSON key of a field: its attrs alias (``_secret`` is sent as ``secret``)."""
    return field.alias or field.name


def _noted(exc: Exception, field: attrs.Attribute[Any]) -> Exception:
    name = _key(field)
    exc.add_note(AttributeValidationNote(f"Structuring @ attribute {name}", name, field.type))
    return exc


def _verdict(field: attrs.Attribute[Any], value: Any) -> DomainError | None:
    """Run one field's validator alone (after its attrs converter), so every bad field is named.

    ``__init__`` stops at the first failing validator, and an ``InvalidInput`` does not say which
    field it is about. Only a ``DomainError`` counts as a verdict here; anything else (a validator
    that needs the instance) is left for ``__init__`` to decide.
    """
    if field.validator is None:
        return None
    conv: Any = field.converter
    if isinstance(conv, attrs.Converter):  # attrs' stubs do not declare its attributes
        if getattr(conv, "takes_self", False) or getattr(conv, "takes_field", False):
            return None
        conv = getattr(conv, "converter", None)
    try:
        field.validator(None, field, value if conv is None else conv(value))
    except DomainError as exc:
        return exc
    except Exception:
        return None
    return None


def _attrs_factory(cls: type[Any], converter: Converter) -> Callable[[object, Any], Any]:
    """Structure an attrs class by field alias, collecting every problem before giving up."""
    attrs.resolve_types(cls)
    fields = [f for f in attrs.fields(cls) if f.init]

    def structure(data: object, _: Any) -> Any:
        if not isinstance(data, Mapping):
            raise _InvalidValueError("se esperaba un objeto JSON")
        errors: list[Exception] = []
        kwargs: dict[str, Any] = {}
        for field in fields:
            key = _key(field)
            if key not in data:
                if field.default is attrs.NOTHING:
                    errors.append(_noted(_InvalidValueError("campo obligatorio"), field))
                continue
            try:
                kwargs[key] = converter.structure(data[key], field.type)
            except Exception as exc:
                errors.append(_noted(exc, field))
                continue
            problem = _verdict(field, kwargs[key])
            if problem is not None:
                errors.append(_noted(problem, field))
        if not errors:
            try:
                return cls(**kwargs)
            except Exception as exc:  # a validator that needs the instance, or __attrs_post_init__
                named = {_key(f): f for f in fields}
                where = getattr(exc, "field", None)
                errors = [_noted(exc, named[where]) if where in named else exc]
        raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)

    return structure


def _make_converter() -> Converter:
    converter = Converter(forbid_extra_keys=False, detailed_validation=True, use_alias=True)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, dump_datetime)
    converter.register_unstructure_hook(str, _enum_value)  # ``class X(str, Enum)`` dispatches here
    for base in (enum.Enum, enum.StrEnum, enum.IntEnum):  # ahead of ``str``/``int`` in their MROs
        converter.register_structure_hook(base, _structure_enum)
        converter.register_unstructure_hook(base, _enum_value)
    converter.register_structure_hook_func(_is_literal, _structure_literal)
    converter.register_structure_hook_factory(_is_list, _list_factory)
    converter.register_structure_hook_factory(_is_dict, _mapping_factory)
    converter.register_structure_hook_factory(attrs.has, _attrs_factory)
    return converter


api_converter: Converter = _make_converter()


# --- public API ---------------------------------------------------------------------------------


def _segment(exc: BaseException) -> str | None:
    for note in reversed(getattr(exc, "__notes__", [])):
        if isinstance(note, AttributeValidationNote):
            return note.name
        if isinstance(note, IterableValidationNote):
            return str(note.index)
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, _InvalidValueError):
        return exc.message
    if isinstance(exc, DomainError):
        return exc.detail
    return "valor inválido"


def _field_errors(exc: BaseException, path: str) -> list[FieldError]:
    """Flatten a cattrs exception tree into one ``FieldError`` per leaf problem."""
    if isinstance(exc, BaseExceptionGroup):
        found: list[FieldError] = []
        for sub in exc.exceptions:
            segment = _segment(sub)
            if segment is not None:
                segment = f"{path}.{segment}" if path else segment
            found.extend(_field_errors(sub, path if segment is None else segment))
        return found or [FieldError(path or "body", "valor inválido")]
    return [FieldError(path or "body", _message(exc))]


def parse(cls: type[T], data: object) -> T:
    """Structure an already decoded JSON body into ``cls``; raise ``RequestValidationError`` if unfit."""
    if not isinstance(data, dict):
        raise RequestValidationError([FieldError("body", "se esperaba un objeto JSON")])
    try:
        return api_converter.structure(data, cls)
    except Exception as exc:
        raise RequestValidationError(_field_errors(exc, "")) from exc


def dump(obj: object) -> Any:
    """Unstructure a result (an attrs instance, a list of them, ...) into JSON-ready values."""
    return api_converter.unstructure(obj)


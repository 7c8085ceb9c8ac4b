"""What the routes declare about themselves, for the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal, get_origin

from attrs import field, frozen

Auth = Literal["none", "user", "admin"]

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}")


def _strs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _ints(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(values)


def _params(values: Iterable[QueryParam]) -> tuple[QueryParam, ...]:
    return tuple(values)


@frozen
class QueryParam:
    """A query string parameter. ``type`` is ``str``, ``int``, ``bool`` or a ``StrEnum``."""

    name: str
    type: Any = str
    required: bool = False
    description: str = ""
    minimum: int | None = None
    maximum: int | None = None
    default: str | int | bool | None = None


@frozen
class PathParam:
    name: str
    type: type[Any]


@frozen
class OperationSpec:
    """One route and method.

    ``path`` is the Starlette path, converters included (``/usuarios/{user_id:int}``); the document
    publishes ``/usuarios/{user_id}`` with an integer parameter. ``response`` is an attrs class,
    ``list[cls]`` (a paginated list: ``X-Total-Count`` is documented), any other type, or ``None``.
    ``request`` is the JSON body class, ``request_form`` the ``application/x-www-form-urlencoded``
    one; ``request_multipart`` is ``True`` (any ``multipart/form-data``), an attrs class, or a raw
    JSON Schema dict. ``errors`` adds statuses to the ones derived from the rest (see
    ``document.error_statuses``).
    """

    path: str
    method: str
    summary: str
    response: Any = None
    response_media_type: str = "application/json"
    status: int = 200
    tags: tuple[str, ...] = field(default=(), converter=_strs)
    request: type[Any] | None = None
    request_form: type[Any] | None = None
    request_multipart: bool | type[Any] | dict[str, Any] = False
    request_required: bool = True
    auth: Auth = "none"
    query: tuple[QueryParam, ...] = field(default=(), converter=_params)
    errors: tuple[int, ...] = field(default=(), converter=_ints)
    rate_limited: bool = False
    description: str = ""
    operation_id: str | None = None
    deprecated: bool = False
    path_pattern: str | None = None  # the regular expression every string path parameter matches

    @property
    def openapi_path(self) -> str:
        """``/usuarios/{user_id:int}`` → ``/usuarios/{user_id}``."""
        return _PARAM.sub(lambda m: "{" + m.group(1) + "}", self.path)

    @property
    def path_params(self) -> list[PathParam]:
        found = _PARAM.finditer(self.path)
        return [PathParam(m.group(1), int if m.group(2) == "int" else str) for m in found]

    @property
    def has_body(self) -> bool:
        return self.request is not None or self.request_form is not None or bool(self.request_multipart)

    @property
    def is_paginated(self) -> bool:
        return get_origin(self.response) is list

    @property
    def id(self) -> str:
        """``operationId``: given, or derived (``get_usuarios_user_id``)."""
        if self.operation_id:
            return self.operation_id
        words = re.findall(r"[A-Za-z0-9]+", self.openapi_path)
        return "_".join([self.method.lower(), *words]) if words else self.method.lower() + "_root"

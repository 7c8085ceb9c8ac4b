"""The OpenAPI 3.1 document of the HTTP API, built from ``OperationSpec``s and a ``SchemaRegistry``.

Every operation declares every status the server can answer it with (schemathesis flags any other):
the error statuses come from ``error_statuses`` and all share the ``Error`` schema.
"""

from __future__ import annotations

from collections import Counter
from http import HTTPStatus
from typing import Any

from ova.entrypoints.http.openapi.operations import OperationSpec
from ova.entrypoints.http.openapi.schema import JsonSchema, SchemaRegistry

ERROR_FIELD_SCHEMA: JsonSchema = {
    "type": "object",
    "description": "Un problema con un campo de la petición.",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "description": "Ruta del campo: `email`, `items.0.nombre`, `body`."},
        "message": {"type": "string"},
    },
}
ERROR_SCHEMA: JsonSchema = {
    "type": "object",
    "description": "Cuerpo de toda respuesta de error.",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string", "description": "Mensaje para personas, en español."},
        "code": {"type": "string", "description": "Código estable, en snake_case."},
        "errors": {
            "type": "array",
            "description": "Solo en 422: un elemento por problema.",
            "items": {"$ref": "#/components/schemas/ErrorField"},
        },
    },
}

# status → (component name, description)
ERROR_RESPONSES: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Petición mal formada (por ejemplo, JSON inválido)."),
    401: ("Unauthorized", "Falta el token de acceso, o no es válido, o ha caducado o se ha revocado."),
    403: ("Forbidden", "El token es válido pero no da permiso para esta operación."),
    404: ("NotFound", "El recurso no existe."),
    405: ("MethodNotAllowed", "Método no permitido en esta ruta."),
    409: ("Conflict", "Conflicto con el estado actual (por ejemplo, email ya registrado)."),
    413: ("PayloadTooLarge", "El cuerpo de la petición es demasiado grande."),
    415: ("UnsupportedMediaType", "Tipo de contenido no admitido."),
    422: ("ValidationFailed", "Datos inválidos; `errors` detalla cada campo."),
    429: ("TooManyRequests", "Demasiados intentos; `Retry-After` dice cuántos segundos esperar."),
    500: ("InternalError", "Error inesperado; el cuerpo lleva el identificador de la petición."),
    503: ("ServiceUnavailable", "Un servicio necesario no está disponible."),
}
_STATUS_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string"},
                               "description": "Siempre `Bearer`."}},
    429: {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 0},
                          "description": "Segundos que esperar antes de reintentar."}},
}
TOTAL_COUNT_HEADER: dict[str, Any] = {
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
    "description": "Número total de elementos, sin paginar.",
}
BEARER_AUTH: dict[str, Any] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
# Starlette's ``{x:int}`` matches ``[0-9]+``; ids beyond a signed 64-bit integer exist nowhere.
PATH_INT_SCHEMA: JsonSchema = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
_AUTH_NOTES = {
    "user": "Requiere un token de acceso (`Authorization: Bearer …`).",
    "admin": "Requiere un token de acceso de un administrador.",
}


def error_statuses(op: OperationSpec) -> list[int]:
    """Every error status ``op`` can answer with: 500 and 503 always; 400, 413, 415 and 422 with a
    body; 422 with query parameters; 401 and 403 with auth; 404 with path parameters; 429 when
    rate limited; plus ``op.errors``."""
    statuses = {500, 503, *op.errors}
    if op.has_body:
        statuses |= {400, 413, 415, 422}
    if op.query:
        statuses.add(422)
    if op.auth != "none":
        statuses |= {401, 403}
    if op.path_params:
        statuses.add(404)
    if op.rate_limited:
        statuses.add(429)
    return sorted(statuses)


def _error_response(status: int) -> dict[str, Any]:
    _, description = ERROR_RESPONSES.get(status, ("", HTTPStatus(status).phrase))
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status in _STATUS_HEADERS:
        response["headers"] = _STATUS_HEADERS[status]
    return response


def _ref_or_inline(status: int) -> dict[str, Any]:
    if status in ERROR_RESPONSES:
        return {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
    return _error_response(status)


def _string_path_schema(op: OperationSpec) -> JsonSchema:
    return {"type": "string", "pattern": op.path_pattern} if op.path_pattern else {"type": "string"}


def _parameters(op: OperationSpec, registry: SchemaRegistry) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": p.name, "in": "path", "required": True,
         "schema": dict(PATH_INT_SCHEMA) if p.type is int else _string_path_schema(op)}
        for p in op.path_params
    ]
    for q in op.query:
        schema = registry.schema_for(q.type)
        extra = {"minimum": q.minimum, "maximum": q.maximum, "default": q.default}
        schema.update({k: v for k, v in extra.items() if v is not None})
        param: dict[str, Any] = {"name": q.name, "in": "query", "required": q.required, "schema": schema}
        if q.description:
            param["description"] = q.description
        params.append(param)
    return params


def _request_body(op: OperationSpec, registry: SchemaRegistry) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if op.request is not None:
        content["application/json"] = {"schema": registry.schema_for(op.request)}
    if op.request_form is not None:
        content["application/x-www-form-urlencoded"] = {"schema": registry.schema_for(op.request_form)}
    multipart = op.request_multipart
    if isinstance(multipart, dict):
        content["multipart/form-data"] = {"schema": multipart}
    elif isinstance(multipart, type):
        content["multipart/form-data"] = {"schema": registry.schema_for(multipart)}
    elif multipart:
        content["multipart/form-data"] = {"schema": {"type": "object"}}
    return {"required": op.request_required, "content": content}


def _success(op: OperationSpec, registry: SchemaRegistry) -> dict[str, Any]:
    response: dict[str, Any] = {"description": HTTPStatus(op.status).phrase}
    if op.status != 204 and op.response_media_type != "application/json":
        response["content"] = {op.response_media_type: {"schema": {"type": "string", "format": "binary"}}}
    elif op.status != 204 and op.response is not None:
        response["content"] = {"application/json": {"schema": registry.schema_for(op.response)}}
        if op.is_paginated:
            response["headers"] = {"X-Total-Count": TOTAL_COUNT_HEADER}
    return response


def operation_object(op: OperationSpec, registry: SchemaRegistry) -> dict[str, Any]:
    """The OpenAPI Operation Object of one route."""
    description = "\n\n".join(d for d in (op.description, _AUTH_NOTES.get(op.auth, "")) if d)
    result: dict[str, Any] = {"operationId": op.id, "summary": op.summary}
    if description:
        result["description"] = description
    if op.tags:
        result["tags"] = list(op.tags)
    if op.deprecated:
        result["deprecated"] = True
    parameters = _parameters(op, registry)
    if parameters:
        result["parameters"] = parameters
    if op.has_body:
        result["requestBody"] = _request_body(op, registry)
    responses = {str(op.status): _success(op, registry)}
    responses.update({str(s): _ref_or_inline(s) for s in error_statuses(op)})
    result["responses"] = responses
    if op.auth != "none":
        result["security"] = [{"bearerAuth": []}]
    return result


def openapi_document(
    *,
    title: str,
    version: str,
    description: str,
    routes: list[OperationSpec],
    registry: SchemaRegistry,
    servers: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document. Raises ``ValueError`` on a repeated path and method or
    ``operationId``."""
    registry.add("ErrorField", ERROR_FIELD_SCHEMA)
    registry.add("Error", ERROR_SCHEMA)
    paths: dict[str, dict[str, Any]] = {}
    for op in routes:
        item = paths.setdefault(op.openapi_path, {})
        method = op.method.lower()
        if method in item:
            raise ValueError(f"{op.method.upper()} {op.openapi_path} is declared twice")
        item[method] = operation_object(op, registry)
    repeated = [name for name, n in Counter(op.id for op in routes).items() if n > 1]
    if repeated:
        raise ValueError(f"repeated operationId: {', '.join(repeated)}")
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {
            "schemas": registry.components(),
            "responses": {name: _error_response(status) for status, (name, _) in ERROR_RESPONSES.items()},
            "securitySchemes": {"bearerAuth": BEARER_AUTH},
        },
    }
    if servers:
        document["servers"] = servers
    tags = sorted({tag for op in routes for tag in op.tags})
    if tags:
        document["tags"] = [{"name": tag} for tag in tags]
    return document

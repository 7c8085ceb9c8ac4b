"""The OpenAPI 3.1 document, derived from the same attrs classes the HTTP layer parses and dumps."""

from ova.entrypoints.http.openapi.document import error_statuses, openapi_document, operation_object
from ova.entrypoints.http.openapi.operations import OperationSpec, QueryParam
from ova.entrypoints.http.openapi.schema import SchemaRegistry

__all__ = [
    "OperationSpec",
    "QueryParam",
    "SchemaRegistry",
    "error_statuses",
    "openapi_document",
    "operation_object",
]

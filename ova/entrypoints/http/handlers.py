"""Exception handlers: one table from failures to JSON problems."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ova.domain.errors import DatabaseUnavailable, DomainError
from ova.entrypoints.asgi.converter import RequestValidationError
from ova.entrypoints.asgi.problems import HttpProblem, domain_problem, problem
from ova.entrypoints.logs import first_line

log = structlog.get_logger("ova.http")


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, DatabaseUnavailable):
        log.error("database unavailable", error=first_line(exc))
    return domain_problem(exc)


async def on_http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpProblem)
    return problem(exc.status, exc.detail, exc.code, headers=exc.headers)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return problem(422, exc.detail, "validation_error", extra={"errors": errors})


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, headers=dict(exc.headers or {}))


Handler = Callable[[Request, Exception], Awaitable[Response]]
EXCEPTION_HANDLERS: Mapping[Any, Handler] = {
    DomainError: on_domain_error,
    HttpProblem: on_http_problem,
    RequestValidationError: on_validation_error,
    HTTPException: on_http_exception,
}

"""Exception handlers: one table from failures to JSON problems, whose ``detail`` speaks the
request's language (``?lang=``, else ``Accept-Language``, else ``DEFAULT_LANGUAGE``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ova.domain.errors import DatabaseUnavailable, DomainError
from ova.domain.language import Language, UnknownLanguage, from_accept_language, parse_language
from ova.entrypoints.asgi.converter import RequestValidationError
from ova.entrypoints.asgi.messages import in_language
from ova.entrypoints.asgi.problems import HTTP_DEFAULTS, HttpProblem, domain_problem, problem
from ova.entrypoints.logs import first_line

log = structlog.get_logger("ova.http")


def request_language(request: Request) -> Language:
    """The language the client reads: ``?lang=`` (when it names one the service speaks), else the
    first it speaks in ``Accept-Language``, else ``DEFAULT_LANGUAGE``."""
    lang = request.query_params.get("lang", "")
    if lang.strip():
        try:
            return parse_language(lang)
        except UnknownLanguage:
            pass
    preferred = from_accept_language(request.headers.get("accept-language"))
    if preferred is not None:
        return preferred
    configured = getattr(request.app.state, "settings", None)
    return configured.default_language if configured is not None else Language.ES


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, DatabaseUnavailable):
        log.error("database unavailable", error=first_line(exc))
    language = request_language(request)
    if isinstance(exc, UnknownLanguage):  # the body lists the accepted values too
        accepted = list(exc.accepted)
        detail = in_language("unsupported_language", exc.detail, language, {"asked": exc.asked, "accepted": accepted})
        return domain_problem(exc, detail=detail, accepted=accepted)
    return domain_problem(exc, detail=in_language(exc.code, exc.detail, language))


async def on_http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpProblem)
    return problem(exc.status, in_language(exc.code, exc.detail, request_language(request)), exc.code,
                   headers=exc.headers)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    detail = in_language("validation_error", exc.detail, request_language(request))
    return problem(422, detail, "validation_error", extra={"errors": errors})


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, detail = HTTP_DEFAULTS.get(exc.status_code, ("error", "Error."))
    return problem(exc.status_code, in_language(code, detail, request_language(request)),
                   headers=dict(exc.headers or {}))


Handler = Callable[[Request, Exception], Awaitable[Response]]
EXCEPTION_HANDLERS: Mapping[Any, Handler] = {
    DomainError: on_domain_error,
    HttpProblem: on_http_problem,
    RequestValidationError: on_validation_error,
    HTTPException: on_http_exception,
}

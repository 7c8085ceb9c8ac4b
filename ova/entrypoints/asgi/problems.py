"""Every failure as JSON in the contract's shape: ``{"detail": <Spanish string>, "code": ...}``."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from ova.domain import errors

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.EmailAlreadyRegistered: 409,
    errors.InvalidCredentials: 401,
    errors.NotAuthenticated: 401,
    errors.AccountDisabled: 403,
    errors.Forbidden: 403,
    errors.LastAdmin: 409,
    errors.TooManyAttempts: 429,
    errors.DependencyUnavailable: 503,
    errors.UnreadableMedia: 400,
    errors.UnsupportedMedia: 415,
    errors.MediaTooLarge: 413,
    errors.NoSpeech: 422,
}

HTTP_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "La petición no es válida."),
    401: ("not_authenticated", "Se requiere autenticación."),
    403: ("forbidden", "No tienes permiso para esta operación."),
    404: ("not_found", "La ruta solicitada no existe."),
    405: ("method_not_allowed", "Método no permitido en esta ruta."),
    413: ("payload_too_large", "El cuerpo de la petición es demasiado grande."),
    415: ("unsupported_media_type", "Tipo de contenido no soportado."),
    422: ("validation_error", "Los datos enviados no son válidos."),
    429: ("rate_limited", "Demasiadas peticiones. Inténtalo más tarde."),
    500: ("internal_error", "Error interno del servidor."),
    503: ("unavailable", "Servicio no disponible temporalmente."),
}


class HttpProblem(Exception):
    """A failure found by the HTTP layer itself (bad JSON, wrong media type, body too large)."""

    def __init__(self, status: int, detail: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        default_code, default_detail = HTTP_DEFAULTS.get(status, ("error", "Error."))
        self.status = status
        self.detail = detail or default_detail
        self.code = code or default_code
        self.headers = headers or {}
        super().__init__(self.detail)


def problem(status: int, detail: str | None = None, code: str | None = None, *,
            headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> JSONResponse:
    default_code, default_detail = HTTP_DEFAULTS.get(status, ("error", "Error."))
    body: dict[str, Any] = {"detail": detail or default_detail, "code": code or default_code}
    if extra:
        body.update(extra)
    all_headers = dict(headers or {})
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(body, status_code=status, headers=all_headers)


def status_for(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def domain_problem(error: errors.DomainError, *, detail: str | None = None, **more: Any) -> JSONResponse:
    """``detail`` replaces the error's own (its translation); ``more`` are extra fields of the body."""
    headers: dict[str, str] = {}
    if isinstance(error, errors.TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after_s)
    if isinstance(error, errors.DependencyUnavailable):
        headers["Retry-After"] = str(error.retry_after_s)
    extra: dict[str, Any] = dict(more)
    if isinstance(error, errors.InvalidInput):
        extra["errors"] = [{"field": error.field or "body", "message": detail or error.detail}]
    return problem(status_for(error), detail or error.detail, error.code, headers=headers, extra=extra or None)

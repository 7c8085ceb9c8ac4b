"""Reading requests: bodies with size and type checks, pagination, the client and the bearer token."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qsl

from starlette.requests import Request

from ova.application.accounts.authenticate import Principal
from ova.domain.errors import NotAuthenticated
from ova.entrypoints.asgi.converter import FieldError, RequestValidationError, parse
from ova.entrypoints.asgi.json_limits import MAX_JSON_DEPTH, lone_surrogate_at, may_hold_surrogate, too_deep
from ova.entrypoints.asgi.problems import HttpProblem

if TYPE_CHECKING:
    from ova.bootstrap import Container
    from ova.config.settings import Settings

T = TypeVar("T")
MAX_PAGE = 500
MAX_SKIP = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")
DEFAULT_PAGE = 100


def container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def read_raw_body(request: Request, limit: int | None = None) -> bytes:
    """The body, refusing more than ``limit`` bytes (default: the JSON limit) with 413 before
    reading it all."""
    limit = limit or settings(request).http.max_json_body_kb * 1024
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HttpProblem(400, "Cabecera Content-Length inválida.")
        if int(declared) > limit:
            raise HttpProblem(413, _too_large(limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpProblem(413, _too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"El cuerpo supera el máximo de {limit / (1024 * 1024):.0f} MB."
    return f"El cuerpo supera el máximo de {limit // 1024} KiB."


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json(request: Request, *, optional: bool = False, limit: int | None = None) -> object:
    body = await read_raw_body(request, limit)
    if optional and not body.strip():
        return {}
    media = media_type(request)
    if media and media != "application/json" and not media.endswith("+json"):
        raise HttpProblem(415, "Envía el cuerpo como application/json.")
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")  # as ``json.loads`` of bytes does
    except UnicodeDecodeError:
        raise _not_json() from None
    if too_deep(text):
        raise _too_deep()
    try:
        data = json.loads(text)
    except ValueError:
        raise _not_json() from None
    except RecursionError:  # ``too_deep`` is exact for valid JSON: this is only a backstop
        raise _too_deep() from None
    if may_hold_surrogate(text):
        where = lone_surrogate_at(data)
        if where is not None:
            raise RequestValidationError([FieldError(where, "contiene caracteres Unicode no válidos")])
    return data


def _too_deep() -> RequestValidationError:
    return RequestValidationError([FieldError("body", f"el JSON anida más de {MAX_JSON_DEPTH} niveles")])


def _not_json() -> HttpProblem:
    return HttpProblem(400, "El cuerpo no es JSON válido.", "invalid_json")


async def read_body(request: Request, cls: type[T], *, optional: bool = False) -> T:
    return parse(cls, await read_json(request, optional=optional))


async def read_form(request: Request, cls: type[T]) -> T:
    """``application/x-www-form-urlencoded`` fields parsed into ``cls`` (strings only)."""
    body = await read_raw_body(request)
    if media_type(request) != "application/x-www-form-urlencoded":
        raise HttpProblem(415, "Envía el formulario como application/x-www-form-urlencoded.")
    try:
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50))
    except (ValueError, UnicodeDecodeError):
        raise HttpProblem(400, "El formulario no es válido.") from None
    return parse(cls, fields)


def _int_param(request: Request, name: str, default: int, minimum: int, cap: int) -> int:
    """A whole number from the query string (absent or ``?name=`` is ``default``; blanks around the
    digits are tolerated, blanks alone are not a number); any value past ``cap`` counts as ``cap``."""
    raw = request.query_params.get(name)
    if not raw:
        return default
    raw = raw.strip()
    if _INTEGER.fullmatch(raw) is None:
        raise RequestValidationError([FieldError(name, "debe ser un número entero")])
    value = int(raw[:24])  # longer digit strings are past any cap anyway
    if value < minimum:
        raise RequestValidationError([FieldError(name, f"debe ser un número entero mayor o igual que {minimum}")])
    return min(value, cap)


def pagination(request: Request) -> tuple[int, int]:
    """``?skip=0&limit=100``; the limit is capped at 500."""
    skip = _int_param(request, "skip", 0, 0, MAX_SKIP)
    limit = _int_param(request, "limit", DEFAULT_PAGE, 1, MAX_PAGE)
    return skip, limit


def bool_param(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise RequestValidationError([FieldError(name, "debe ser true o false")])


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def principal(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated()
    return await container(request).authenticate()(token)

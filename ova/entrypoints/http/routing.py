"""Routes carry their OpenAPI description; the Starlette route table and ``/openapi.json`` are both
built from the same list, so no route is undocumented and no document describes a missing route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from attrs import frozen
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ova.domain.errors import NotFound
from ova.entrypoints.asgi.converter import dump
from ova.entrypoints.http.openapi.operations import OperationSpec, QueryParam

Endpoint = Callable[[Request], Awaitable[Response]]

PAGINATION = (
    QueryParam(name="skip", type=int, required=False, description="Elementos a saltar.", minimum=0),
    QueryParam(name="limit", type=int, required=False, description="Máximo por página (tope 500).", minimum=1),
)


@frozen
class ApiRoute:
    spec: OperationSpec
    endpoint: Endpoint


def api(endpoint: Endpoint, **spec: Any) -> ApiRoute:
    return ApiRoute(OperationSpec(**spec), endpoint)


def starlette_routes(routes: Sequence[ApiRoute]) -> list[Route]:
    """Groups the operations by path (one ``Route`` per path, several methods) and labels each
    request with its route template for metrics and logs."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for route in routes:
        by_path.setdefault(route.spec.path, {})[route.spec.method.upper()] = route.endpoint
    return [Route(path, _dispatch(path, methods), methods=list(methods)) for path, methods in by_path.items()]


def _dispatch(path: str, methods: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        request.scope["ova.route"] = path
        method = "GET" if request.method == "HEAD" else request.method
        return await methods[method](request)

    return endpoint


def respond(view: object, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(dump(view), status_code=status, headers=headers)


def respond_page(views: Sequence[object], total: int) -> JSONResponse:
    return JSONResponse(dump(list(views)), headers={"X-Total-Count": str(total)})


MAX_ID = 2**31 - 1


def path_id(request: Request, name: str) -> int:
    """An id from the path (``{name:int}``); ids beyond the column's range cannot exist."""
    value: int = request.path_params[name]
    if value > MAX_ID:
        raise NotFound()
    return value

"""The baseline: a bare Starlette app with one route answering the same-shaped JSON as ova's ``/status``,
and ``app_with_request_id``: the same answering ova's ``X-Request-ID`` header too (a header the published
client's contract asks of every response), to tell what that header costs from what ova's code costs.

    uvicorn bench.bare_app:app --loop uvloop --http httptools --no-access-log --log-level warning
"""

from __future__ import annotations

import itertools
import os
import time
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

VERSION = "0.1.0"
ENVIRONMENT = "development"
STARTED = time.monotonic()


async def status(request: Request) -> JSONResponse:
    return JSONResponse({
        "status": "online",
        "version": VERSION,
        "environment": ENVIRONMENT,
        "timestamp": datetime.now(UTC).isoformat(),
        "uptime_s": round(time.monotonic() - STARTED, 3),
    })


_PREFIX = os.urandom(8).hex()
_numbers = itertools.count()


async def status_with_request_id(request: Request) -> JSONResponse:
    response = await status(request)
    response.headers["x-request-id"] = f"{_PREFIX}{next(_numbers):016x}"  # as ova makes one
    return response


app = Starlette(routes=[Route("/status", status, methods=["GET"])])
app_with_request_id = Starlette(routes=[Route("/status", status_with_request_id, methods=["GET"])])

"""The baseline: a bare Starlette app with one route answering the same-shaped JSON as ova's ``/status``.

    uvicorn bench.bare_app:app --loop uvloop --http httptools --no-access-log --log-level warning
"""

from __future__ import annotations

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


app = Starlette(routes=[Route("/status", status, methods=["GET"])])

"""The id of the request being answered, for log lines (a plain ContextVar: cheaper per request than
structlog's own binding)."""

from __future__ import annotations

from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("ova_request_id", default=None)

"""Structured logs: JSON lines in staging and production, readable lines in development."""

from __future__ import annotations

import logging
import sys

import structlog

from ova.config.settings import Settings
from ova.entrypoints.request_context import current_request_id


def configure_logging(settings: Settings) -> None:
    level = logging.getLevelName(settings.log_level)
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer(colors=False)
        if settings.environment.value == "development"
        else structlog.processors.JSONRenderer()
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer,
        ])
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def _add_request_id(logger: object, method: str, event: structlog.types.EventDict) -> structlog.types.EventDict:
    request_id = current_request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def first_line(error: BaseException, limit: int = 200) -> str:
    """What a log line says of an error: its cause's first line (or the error's type when it has no
    message), cut to ``limit`` characters. Driver messages can span pages; some errors have none."""
    shown = error.__cause__ or error
    lines = str(shown).splitlines()
    return (lines[0] if lines and lines[0] else type(shown).__name__)[:limit]

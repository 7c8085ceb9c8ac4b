"""SQLAlchemy's failures to reach the database, as the domain says them (``DatabaseUnavailable``),
so that no caller above the adapters needs to know SQLAlchemy's exceptions."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ova.domain.errors import DatabaseUnavailable

UNAVAILABLE = (OperationalError, PoolTimeout, TimeoutError)
"""No connection (refused, lost, locked for longer than the busy timeout), none free in the pool in time,
or a server that did not answer within the engine's ``timeout_s`` (``TimeoutError``)."""


def unavailable(error: BaseException) -> DatabaseUnavailable:
    """The domain's error, caused by ``error`` (kept for the logs, never shown to clients).

    A timeout says nothing itself (``str(TimeoutError())`` is empty, and the log shows the cause's
    first line), so one without a message is given one."""
    if isinstance(error, TimeoutError) and not error.args:
        error.args = ("the database server did not answer in time (DB_TIMEOUT_S)",)
    translated = DatabaseUnavailable()
    translated.__cause__ = error
    return translated


def translated(error: Exception) -> Exception:
    """``error`` as the domain says it when the database was unreachable; other errors unchanged."""
    return unavailable(error) if isinstance(error, UNAVAILABLE) else error

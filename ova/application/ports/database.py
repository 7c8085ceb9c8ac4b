"""The database as operators see it: which backend, how fast it answers, and its schema's migration state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from attrs import frozen


@frozen
class DatabaseReport:
    """``pool`` counts the connections (empty when the backend keeps no pool); ``revision`` is the
    schema's migration, ``None`` for a database never migrated."""

    backend: str
    latency_ms: float
    pool: Mapping[str, int]
    revision: str | None


class Database(Protocol):
    """Raises ``DatabaseUnavailable`` when the database cannot be reached."""

    @property
    def backend(self) -> str:
        """``sqlite`` or ``mysql``."""
        ...

    def head(self) -> str:
        """The newest schema revision this code knows."""
        ...

    async def revision(self) -> str | None:
        """The revision the running database is at (through the service's own connections)."""
        ...

    async def ping(self) -> float:
        """One round trip to the database, in milliseconds."""
        ...

    async def describe(self) -> DatabaseReport: ...

    def stored_revision(self) -> str | None:
        """The revision, read without creating the database if it does not exist yet. Blocking
        (for the command line)."""
        ...

    def upgrade(self) -> str | None:
        """Applies every pending migration and returns the revision reached. Blocking (for the
        command line)."""
        ...

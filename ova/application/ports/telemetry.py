"""What the entrypoints report about themselves: HTTP requests, and chat connections and answers."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol


class RequestMetrics(Protocol):
    content_type: str
    """The media type of ``exposition``."""

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request answered: ``route`` is its template (``/users/{id}``), never the raw path."""
        ...

    def exposition(self) -> bytes:
        """Every series of this process (HTTP and whatever else shares the registry), for scraping."""
        ...


class ChatTelemetry(Protocol):
    def connection(self) -> AbstractAsyncContextManager[None]:
        """Counts a chat connection open for as long as it lasts."""
        ...

    def message_done(self, outcome: str) -> None:
        """A user message is closed: ``answered``, or the code of the error frame that closed it."""
        ...

    def generation_started(self) -> None:
        """An answer is being generated; ``generation_ended`` (in a ``finally``) when it stops."""
        ...

    def generation_ended(self) -> None: ...

    def generated(self, *, first_piece_s: float | None, pieces: int, seconds: float) -> None: ...

    async def flush(self) -> None:
        """Wait until the shared counters hold every change so far."""
        ...

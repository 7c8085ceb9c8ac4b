from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time, always timezone-aware UTC. Tests pass a clock they can move."""

    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    """Unique, unguessable identifiers for tokens and token families."""

    def new_id(self) -> str: ...

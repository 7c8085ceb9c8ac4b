"""The real clock and token ids."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class RandomIds:
    """128 random bits, URL-safe."""

    def new_id(self) -> str:
        return secrets.token_urlsafe(16)

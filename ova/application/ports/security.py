from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from ova.domain.tokens import AccessClaims, RefreshClaims
from ova.domain.users import User


@frozen
class PasswordCheck:
    """The result of a verification; ``new_hash`` is set when the stored hash should be replaced."""

    ok: bool
    new_hash: str | None = None


class PasswordHasher(Protocol):
    """Hashes and verifies passwords without blocking the event loop."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str | None) -> PasswordCheck:
        """Check a password. With ``password_hash=None`` it still spends the same time and fails,
        so an unknown account cannot be told apart from a wrong password by timing."""


class TokenCodec(Protocol):
    """Signs and reads access and refresh tokens. Reading raises ``InvalidToken`` on any defect:
    bad signature, wrong algorithm, wrong type, expired or malformed."""

    def encode_access(self, user: User, *, jti: str, family: str, now: datetime) -> tuple[str, AccessClaims]: ...

    def encode_refresh(self, user: User, *, jti: str, family: str, now: datetime) -> tuple[str, RefreshClaims]: ...

    def decode_access(self, token: str) -> AccessClaims: ...

    def decode_refresh(self, token: str) -> RefreshClaims: ...

    @property
    def access_lifetime_s(self) -> int: ...

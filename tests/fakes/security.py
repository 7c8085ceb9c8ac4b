"""A password hasher that costs nothing, with a 'legacy' scheme to exercise re-hashing."""

from __future__ import annotations

from ova.application.ports.security import PasswordCheck

CURRENT = "fake$"
LEGACY = "legacy$"


class FakePasswordHasher:
    """``fake$<password>`` is current; ``legacy$<password>`` verifies and asks to be re-hashed."""

    def __init__(self) -> None:
        self.verifications = 0

    async def hash(self, password: str) -> str:
        return CURRENT + password[::-1]

    async def verify(self, password: str, password_hash: str | None) -> PasswordCheck:
        self.verifications += 1
        if password_hash is None:
            return PasswordCheck(ok=False)
        if password_hash.startswith(LEGACY):
            ok = password_hash == LEGACY + password
            return PasswordCheck(ok=ok, new_hash=await self.hash(password) if ok else None)
        return PasswordCheck(ok=password_hash == CURRENT + password[::-1])

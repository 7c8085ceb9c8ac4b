"""Argon2id password hashing off the event loop, with a bounded queue; legacy bcrypt hashes verify
and get re-hashed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from passlib.context import CryptContext

from ova.application.ports.security import PasswordCheck
from ova.domain.errors import Busy

_T = TypeVar("_T")
_BCRYPT_MAX_BYTES = 72


class Argon2PasswordHasher:
    """Hashes with Argon2id; at most ``max_concurrency`` hashes run at once, each in a worker thread,
    and at most ``max_waiting`` more wait for one. A hash beyond that raises ``Busy`` at once (503
    ``busy`` with ``Retry-After``): a login flood then costs its senders a quick refusal instead of
    making every login wait behind it, and requests that hash nothing never notice it.

    A caller that goes away does not cancel the thread: its place stays taken until the hash ends,
    so the count always matches the work really in progress.
    """

    def __init__(
        self,
        *,
        time_cost: int = 3,
        memory_kib: int = 65536,
        parallelism: int = 2,
        max_concurrency: int = 4,
        max_waiting: int = 16,
        retry_after_s: int = 1,
    ) -> None:
        if max_concurrency < 1 or max_waiting < 0:
            raise ValueError("max_concurrency must be at least 1 and max_waiting at least 0")
        self._context = CryptContext(
            schemes=["argon2", "bcrypt"],
            deprecated=["bcrypt"],
            argon2__type="ID",
            argon2__time_cost=time_cost,
            argon2__memory_cost=memory_kib,
            argon2__parallelism=parallelism,
        )
        self.max_concurrency = max_concurrency
        self.max_waiting = max_waiting
        self._retry_after_s = retry_after_s
        self._admitted = 0
        self._limiter: anyio.CapacityLimiter | None = None
        self._dummy_hash: str | None = None

    async def warm_up(self) -> None:
        """Prepare the stand-in hash for unknown accounts now, so the first one is not slower."""
        if self._dummy_hash is None:
            self._dummy_hash = await self._off_loop(self._hash_sync, secrets.token_urlsafe(24))

    async def hash(self, password: str) -> str:
        return await self._off_loop(self._hash_sync, password)

    async def verify(self, password: str, password_hash: str | None) -> PasswordCheck:
        if password_hash is None:
            await self._off_loop(self._verify_dummy_sync, password)
            return PasswordCheck(ok=False)
        return await self._off_loop(self._verify_sync, password, password_hash)

    @property
    def in_flight(self) -> int:
        """Hashes running or waiting for a thread now."""
        return self._admitted

    async def _off_loop(self, func: Callable[..., _T], *args: str) -> _T:
        if self._admitted >= self.max_concurrency + self.max_waiting:
            raise Busy(self._retry_after_s)
        if self._limiter is None:  # created lazily: it belongs to the running event loop
            self._limiter = anyio.CapacityLimiter(self.max_concurrency)
        self._admitted += 1
        try:
            return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)
        finally:
            self._admitted -= 1

    def _hash_sync(self, password: str) -> str:
        result: str = self._context.hash(password)
        return result

    def _verify_sync(self, password: str, password_hash: str) -> PasswordCheck:
        try:
            if self._is_long_bcrypt(password, password_hash):
                return self._verify_long_bcrypt(password, password_hash)
            ok, new_hash = self._context.verify_and_update(password, password_hash)
        except (ValueError, TypeError):  # unidentifiable or malformed stored hash
            return PasswordCheck(ok=False)
        return PasswordCheck(ok=bool(ok), new_hash=new_hash if ok else None)

    def _verify_dummy_sync(self, password: str) -> None:
        """Spend the time of a real verification, for accounts that do not exist."""
        if self._dummy_hash is None:
            self._dummy_hash = self._context.hash(secrets.token_urlsafe(24))
        self._context.verify(password, self._dummy_hash)

    def _is_long_bcrypt(self, password: str, password_hash: str) -> bool:
        return (
            len(password.encode()) > _BCRYPT_MAX_BYTES
            and self._context.identify(password_hash, required=False) == "bcrypt"
        )

    def _verify_long_bcrypt(self, password: str, password_hash: str) -> PasswordCheck:
        """bcrypt only ever read the first 72 bytes; bcrypt>=5 refuses longer input, so cut it here."""
        if not self._context.verify(password.encode()[:_BCRYPT_MAX_BYTES], password_hash):
            return PasswordCheck(ok=False)
        return PasswordCheck(ok=True, new_hash=self._hash_sync(password))

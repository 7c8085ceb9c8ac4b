"""Argon2id hashing off the event loop, with legacy bcrypt hashes upgraded on verification."""

from __future__ import annotations

import asyncio
import threading
import time

import bcrypt
import pytest

from ova.adapters.security import Argon2PasswordHasher
from ova.application.ports.security import PasswordCheck

CHEAP = {"time_cost": 1, "memory_kib": 8192, "parallelism": 1}


@pytest.fixture
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(**CHEAP)


def _bcrypt(password: str) -> str:
    return bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()


async def test_hash_is_argon2id_with_the_configured_parameters(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery")

    assert hashed.startswith("$argon2id$v=19$m=8192,t=1,p=1$")


async def test_default_parameters_are_owasp_strength() -> None:
    hashed = await Argon2PasswordHasher().hash("correct horse battery")

    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=2$")


async def test_same_password_hashes_differently_each_time(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.hash("same password") != await hasher.hash("same password")


async def test_right_password_verifies_without_rehash(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery")

    check = await hasher.verify("correct horse battery", hashed)

    assert check == PasswordCheck(ok=True)


async def test_wrong_password_fails(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery")

    check = await hasher.verify("correct horse batterY", hashed)

    assert check == PasswordCheck(ok=False)


async def test_legacy_bcrypt_hash_verifies_and_is_upgraded_to_argon2id(hasher: Argon2PasswordHasher) -> None:
    check = await hasher.verify("legacy password", _bcrypt("legacy password"))

    assert check.ok
    assert check.new_hash is not None
    assert check.new_hash.startswith("$argon2id$")
    assert (await hasher.verify("legacy password", check.new_hash)).ok


async def test_legacy_bcrypt_hash_with_wrong_password_fails(hasher: Argon2PasswordHasher) -> None:
    check = await hasher.verify("not it", _bcrypt("legacy password"))

    assert check == PasswordCheck(ok=False)


async def test_legacy_bcrypt_hash_of_a_password_over_72_bytes_verifies(hasher: Argon2PasswordHasher) -> None:
    long_password = "contraseña-" * 10  # old bcrypt read only the first 72 bytes

    check = await hasher.verify(long_password, _bcrypt(long_password))

    assert check.ok
    assert check.new_hash is not None
    assert (await hasher.verify(long_password, check.new_hash)).ok
    assert not (await hasher.verify(long_password[:-1], check.new_hash)).ok


async def test_hash_with_weaker_argon2_parameters_is_upgraded() -> None:
    weak = await Argon2PasswordHasher(**CHEAP).hash("pw-12345678")
    stronger = Argon2PasswordHasher(time_cost=2, memory_kib=8192, parallelism=1)

    check = await stronger.verify("pw-12345678", weak)

    assert check.ok
    assert check.new_hash is not None
    assert "$m=8192,t=2,p=1$" in check.new_hash


async def test_unknown_account_never_verifies(hasher: Argon2PasswordHasher) -> None:
    check = await hasher.verify("anything at all", None)

    assert check == PasswordCheck(ok=False)


async def test_unknown_account_still_runs_an_argon2_verification(hasher: Argon2PasswordHasher) -> None:
    calls: list[str] = []
    original = hasher._context.verify

    def counting_verify(secret: str, hashed: str) -> bool:
        calls.append(hashed)
        return bool(original(secret, hashed))

    hasher._context.verify = counting_verify

    await hasher.verify("anything", None)
    await hasher.verify("anything", None)

    assert len(calls) == 2
    assert all(h.startswith("$argon2id$v=19$m=8192,t=1,p=1$") for h in calls)


@pytest.mark.parametrize(
    "stored",
    ["", "garbage", "$argon2id$", "$argon2id$v=19$m=65536,t=3,p=2$xx$yy", "$2b$12$short", "fake$abc"],
)
async def test_malformed_stored_hash_fails_without_raising(hasher: Argon2PasswordHasher, stored: str) -> None:
    check = await hasher.verify("whatever", stored)

    assert check == PasswordCheck(ok=False)


async def test_hashing_does_not_block_the_event_loop() -> None:
    hasher = Argon2PasswordHasher(time_cost=2, memory_kib=32768, parallelism=1)
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    await hasher.hash("correct horse battery")
    during = ticks - before
    done.set()
    await task

    assert during > 10


class _OverlapProbe(Argon2PasswordHasher):
    """Counts how many hashes are inside the worker thread at once."""

    def __init__(self, *, max_concurrency: int, barrier: threading.Barrier | None = None) -> None:
        super().__init__(**CHEAP, max_concurrency=max_concurrency)
        self._lock = threading.Lock()
        self._barrier = barrier
        self.active = 0
        self.most_active = 0

    def _hash_sync(self, password: str) -> str:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            if self._barrier is not None:
                self._barrier.wait()
            time.sleep(0.005)  # widen the window in which an unbounded pool would overlap
            return super()._hash_sync(password)
        finally:
            with self._lock:
                self.active -= 1


async def test_concurrency_limit_of_one_never_overlaps_hashes() -> None:
    probe = _OverlapProbe(max_concurrency=1)

    await asyncio.gather(*(probe.hash(f"password-{n}") for n in range(4)))

    assert probe.most_active == 1


async def test_concurrency_limit_allows_that_many_hashes_at_once() -> None:
    probe = _OverlapProbe(max_concurrency=2, barrier=threading.Barrier(2, timeout=10))

    await asyncio.gather(probe.hash("one"), probe.hash("two"))

    assert probe.most_active == 2

"""Accounts kept in each process between requests, so checking a token needs no database read.

Every worker must still see a disabled, deleted or demoted account at once. So each account has a
version in the shared state (a counter that every write of the account bumps *after* its commit),
and ``Authenticate`` reads that version in the same round trip as the revocation check. A copy is
used only while the version is the one read *before* the copy was loaded from the database: a write
that committed after that read has bumped the version by the time its request is answered, so no
request that starts later can be served the older copy. A short time-to-live is the backstop for
writes that bypass the use cases (SQL by hand, a restarted Redis that lost its counters).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from operator import attrgetter

import attrs

from ova.application.ports.clock import Clock
from ova.application.ports.shared_state import Counters
from ova.domain.users import User

_VERSION_PREFIX = "account_version:"
_user_values = attrgetter(*(field.name for field in attrs.fields(User)))  # in __init__'s order


def _copy(user: User | None) -> User | None:
    """A shallow copy (several times cheaper than ``copy.copy`` on a slotted attrs class)."""
    return None if user is None else User(*_user_values(user))


def account_version(user_id: int) -> str:
    """The name of the shared counter that versions the account ``user_id``."""
    return _VERSION_PREFIX + str(user_id)


async def account_changed(versions: Counters, user_id: int) -> None:
    """Bump the account's version. Call it after the commit that changed the account (never
    before: a reader could otherwise load the old row under the new version)."""
    await versions.add(account_version(user_id))


class AccountCache:
    """Per-process copies of accounts (``None`` for one that no longer exists), each tagged with the
    version it was loaded under and an expiry. Callers get copies, never the stored object."""

    def __init__(self, clock: Clock, *, ttl_s: float = 5.0, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_s)
        self._max_entries = max_entries
        self._entries: dict[int, tuple[int, datetime, User | None]] = {}

    def get(self, user_id: int, version: int) -> tuple[bool, User | None]:
        """``(True, account)`` when a copy loaded under ``version`` is still fresh, else
        ``(False, None)``."""
        entry = self._entries.get(user_id)
        if entry is None or entry[0] != version or entry[1] <= self._clock.now():
            return False, None
        return True, _copy(entry[2])

    def put(self, user_id: int, version: int, user: User | None) -> None:
        """Keep ``user`` as loaded after ``version`` was read."""
        entries = self._entries
        if user_id not in entries and len(entries) >= self._max_entries:
            del entries[next(iter(entries))]  # the oldest entry
        entries[user_id] = (version, self._clock.now() + self._ttl, _copy(user))

    def __len__(self) -> int:
        return len(self._entries)

"""Removing refresh sessions that have expired, which nothing else removes."""

from __future__ import annotations

from attrs import frozen

from ova.application.ports.clock import Clock
from ova.application.ports.unit_of_work import UnitOfWorkFactory


@frozen
class PurgeExpiredSessions:
    """Deletes every refresh-token family whose expiry is now or past, revoked or not, and returns how
    many went. Such a family can never be refreshed again (its last token has expired, and a revoked
    one's shared-state revocation ends at that expiry too), so its row only takes space. Safe to run
    in several workers at once: each deletes what is left."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self) -> int:
        async with self.uow() as uow:
            deleted = await uow.refresh_sessions.delete_expired(self.clock.now())
            await uow.commit()
        return deleted

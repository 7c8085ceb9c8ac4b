"""Purging expired refresh sessions: the expired go, the live stay (revoked or not)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ova.application.accounts.commands import Credentials, Registration
from ova.application.accounts.purge_sessions import PurgeExpiredSessions
from ova.domain.errors import InvalidToken
from ova.domain.tokens import RefreshSession
from tests.unit.world import World

ANA = Registration(nombre="Ana", email="ana@example.org", password="correct horse")


def purge(world: World) -> PurgeExpiredSessions:
    return PurgeExpiredSessions(uow=world.uow, clock=world.clock)


async def families(world: World) -> set[str]:
    return set(world.uow.data.sessions)


async def test_expired_sessions_go_and_live_ones_stay(world: World) -> None:
    user = await world.register(ANA, client="c")
    assert user.id is not None
    now = world.clock.now()
    async with world.uow() as uow:
        for family, offset_s, revoked in [
            ("long-gone", -86400, False), ("just-now", 0, False), ("revoked-expired", -1, True),
            ("live", 1, False), ("revoked-live", 3600, True),
        ]:
            await uow.refresh_sessions.add(RefreshSession(
                family, user.id, f"jti-{family}", now + timedelta(seconds=offset_s), revoked,
            ))
        await uow.commit()

    assert await purge(world)() == 3
    assert await families(world) == {"live", "revoked-live"}
    assert await purge(world)() == 0


async def test_a_login_is_purged_once_its_refresh_token_has_expired(world: World) -> None:
    await world.register(ANA, client="c")
    login = await world.login(Credentials("ana@example.org", "correct horse"), client="c")
    world.clock.advance(7 * 86400 - 1)
    assert await purge(world)() == 0
    world.clock.advance(1)

    assert await purge(world)() == 1
    assert await families(world) == set()
    with pytest.raises(InvalidToken):
        await world.refresh(login.tokens.refresh_token)

"""A refresh-token reuse seen while the shared state (Redis) is down is refused without changing
anything, so the same token still counts as a reuse once the shared state is back, and then revokes
the whole family: its refresh tokens (database) and its access tokens (shared state)."""

from __future__ import annotations

from datetime import datetime

import pytest

from ova.application.accounts.commands import Credentials, Registration
from ova.application.accounts.refresh import RefreshTokens
from ova.application.ports.shared_state import RevocationList
from ova.domain.errors import DependencyUnavailable, InvalidToken, RefreshTokenReused
from tests.unit.world import World

ANA = Registration(nombre="Ana", email="ana@example.org", password="correct horse")


class RevocationsThatCanGoDown:
    """The world's revocation list, unreachable while ``down`` (as the Redis adapter then fails)."""

    def __init__(self, inner: RevocationList) -> None:
        self.inner = inner
        self.down = False

    async def revoke(self, jti: str, *, until: datetime) -> None:
        if self.down:
            raise DependencyUnavailable()
        await self.inner.revoke(jti, until=until)


async def test_a_reuse_during_an_outage_still_revokes_the_family_once_the_state_is_back(world: World) -> None:
    revocations = RevocationsThatCanGoDown(world.state)
    refresh = RefreshTokens(uow=world.uow, tokens=world.refresh.tokens, revocations=revocations)
    await world.register(ANA, client="c")
    stolen = (await world.login(Credentials(ANA.email, ANA.password), client="c")).tokens
    current = await refresh(stolen.refresh_token)  # the rightful client rotates

    revocations.down = True
    with pytest.raises(DependencyUnavailable):
        await refresh(stolen.refresh_token)
    revocations.down = False

    with pytest.raises(RefreshTokenReused):
        await refresh(stolen.refresh_token)
    with pytest.raises(InvalidToken):
        await refresh(current.refresh_token)
    with pytest.raises(InvalidToken):
        await world.authenticate(current.access_token)


async def test_a_rotation_needs_no_shared_state(world: World) -> None:
    revocations = RevocationsThatCanGoDown(world.state)
    refresh = RefreshTokens(uow=world.uow, tokens=world.refresh.tokens, revocations=revocations)
    await world.register(ANA, client="c")
    first = (await world.login(Credentials(ANA.email, ANA.password), client="c")).tokens
    revocations.down = True
    second = await refresh(first.refresh_token)
    revocations.down = False
    assert (await world.authenticate(second.access_token)).user.email == ANA.email

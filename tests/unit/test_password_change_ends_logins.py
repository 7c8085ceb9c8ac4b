"""A new password (the account's own change, an admin's reset, ``ensure_admin`` on an existing
account) refuses every other access and refresh token of the account at once; the login that made
its own change keeps working."""

from __future__ import annotations

import pytest

from ova.application.accounts.account_cache import AccountCache
from ova.application.accounts.authenticate import Authenticate
from ova.application.accounts.commands import Credentials, Registration
from ova.application.users.commands import UserChanges
from ova.domain.errors import InvalidToken
from ova.domain.tokens import TokenPair
from ova.domain.users import User
from tests.unit.world import World

ANA = Registration(nombre="Ana", email="ana@example.org", password="password-ana")


async def ana_with_two_logins(world: World) -> tuple[User, TokenPair, TokenPair]:
    ana = await world.register(ANA, client="c")
    first = (await world.login(Credentials(ANA.email, ANA.password), client="c")).tokens
    second = (await world.login(Credentials(ANA.email, ANA.password), client="d")).tokens
    return ana, first, second


def other_worker(world: World) -> Authenticate:
    """Another process: its own account cache, the same database and shared state."""
    return Authenticate(world.codec, world.state, world.uow, AccountCache(world.clock))


async def assert_refused(world: World, pair: TokenPair) -> None:
    for authenticate in (world.authenticate, other_worker(world)):
        with pytest.raises(InvalidToken):
            await authenticate(pair.access_token)
    with pytest.raises(InvalidToken):
        await world.refresh(pair.refresh_token)


async def test_an_own_password_change_ends_the_other_logins_and_keeps_this_one(world: World) -> None:
    ana, first, second = await ana_with_two_logins(world)
    for pair in (first, second):  # both warm in the cache before the change
        await world.authenticate(pair.access_token)
    changer = await world.authenticate(first.access_token)

    await world.update_user(ana, ana.id or 0, UserChanges(password="a new password"), login=changer.claims.family)

    await assert_refused(world, second)
    assert (await world.authenticate(first.access_token)).user.id == ana.id
    assert (await other_worker(world)(first.access_token)).user.id == ana.id
    renewed = await world.refresh(first.refresh_token)
    assert (await world.authenticate(renewed.access_token)).user.id == ana.id
    await world.login(Credentials(ANA.email, "a new password"), client="c")


async def test_an_admin_reset_ends_every_login_of_the_account_and_no_other(world: World) -> None:
    admin = await world.admin("root@example.org", "admin-password")
    admins = (await world.login(Credentials("root@example.org", "admin-password"), client="a")).tokens
    ana, first, second = await ana_with_two_logins(world)
    family = (await world.authenticate(admins.access_token)).claims.family

    await world.update_user(admin, ana.id or 0, UserChanges(password="reset by admin"), login=family)

    await assert_refused(world, first)
    await assert_refused(world, second)
    assert (await world.authenticate(admins.access_token)).user.id == admin.id
    await world.refresh(admins.refresh_token)


async def test_a_change_without_a_new_password_ends_no_login(world: World) -> None:
    ana, first, second = await ana_with_two_logins(world)
    await world.update_user(ana, ana.id or 0, UserChanges(nombre="Ana María"))
    for pair in (first, second):
        assert (await world.authenticate(pair.access_token)).user.nombre == "Ana María"
        await world.refresh(pair.refresh_token)


async def test_ensure_admin_on_an_existing_account_says_so_and_ends_its_logins(world: World) -> None:
    _, first, second = await ana_with_two_logins(world)

    ready = await world.ensure_admin("ana@example.org", "admin-password-ana")

    assert ready is not None and not ready.created
    await assert_refused(world, first)
    await assert_refused(world, second)
    pair = (await world.login(Credentials(ANA.email, "admin-password-ana"), client="c")).tokens
    assert (await world.authenticate(pair.access_token)).user.is_admin


async def test_ensure_admin_creates_a_missing_account_and_says_so(world: World) -> None:
    ready = await world.ensure_admin("new@example.org", "admin-password")
    assert ready is not None and ready.created and ready.user.is_admin
    assert await world.ensure_admin("other@example.org", "admin-password", only_if_none=True) is None

"""The per-process account cache behind ``Authenticate``: a warm cache must never hide an account
write from any worker. Two ``Authenticate`` with caches of their own over one shared state and one
database stand for two workers sharing Redis."""

from __future__ import annotations

import pytest

from ova.application.accounts.account_cache import AccountCache, account_version
from ova.application.accounts.authenticate import Authenticate
from ova.application.accounts.commands import Credentials, Registration
from ova.application.users.commands import UserChanges
from ova.domain.errors import InvalidToken
from ova.domain.users import Role, User
from tests.fakes.repositories import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory
from tests.fakes.security import LEGACY
from tests.unit.world import World

ANA = Registration(nombre="Ana", email="ana@example.org", password="correct horse")
ANA_LOGIN = Credentials("ana@example.org", "correct horse")


class CountingReads:
    """A unit-of-work factory that counts the units it hands out (each one a database read here)."""

    def __init__(self, inner: InMemoryUnitOfWorkFactory) -> None:
        self.inner = inner
        self.opened = 0

    def __call__(self, *, read_only: bool = False) -> InMemoryUnitOfWork:
        self.opened += 1
        return self.inner(read_only=read_only)


def worker(world: World) -> tuple[Authenticate, CountingReads]:
    """Another process: its own cache, the same database and shared state."""
    reads = CountingReads(world.uow)
    return Authenticate(world.codec, world.state, reads, AccountCache(world.clock)), reads


async def ana_and_admin(world: World) -> tuple[User, User, str]:
    admin = await world.admin("root@example.org", "admin-password", "Root")
    ana = await world.register(ANA, client="c")
    token = (await world.login(ANA_LOGIN, client="c")).tokens.access_token
    assert admin is not None
    return ana, admin, token


async def test_a_warm_cache_answers_without_reading_the_database(world: World) -> None:
    await ana_and_admin(world)
    token = (await world.login(ANA_LOGIN, client="c")).tokens.access_token
    authenticate, reads = worker(world)

    first = await authenticate(token)
    second = await authenticate(token)

    assert reads.opened == 1
    assert first.user == second.user and first.user.email == "ana@example.org"


@pytest.mark.parametrize(
    "change",
    [UserChanges(activo=False), UserChanges(rol=Role.ADMIN), UserChanges(nombre="Ana María"),
     UserChanges(password="a new password")],
    ids=["disabled", "promoted", "renamed", "new-password"],
)
async def test_an_account_change_reaches_every_warm_worker_on_its_next_request(
    world: World, change: UserChanges
) -> None:
    ana, admin, token = await ana_and_admin(world)
    workers = [worker(world), worker(world)]
    for authenticate, _ in workers:
        assert (await authenticate(token)).user.activo

    await world.update_user(admin, ana.id or 0, change)

    for authenticate, reads in workers:
        if change.password is not None:  # an admin's reset ends the account's logins at once
            with pytest.raises(InvalidToken, match="revocado"):
                await authenticate(token)
            continue
        if change.activo is False:
            with pytest.raises(InvalidToken):
                await authenticate(token)
        else:
            user = (await authenticate(token)).user
            assert user.rol is (change.rol or Role.USER)
            assert user.nombre == (change.nombre or "Ana")
        assert reads.opened == 2  # the change was read, not served from the cache


async def test_a_demoted_admin_loses_admin_rights_at_once_everywhere(world: World) -> None:
    _, admin, _ = await ana_and_admin(world)
    second = await world.admin("second@example.org", "admin-password-2", "Second")
    assert second is not None and second.id is not None
    token = (await world.login(Credentials("second@example.org", "admin-password-2"), client="c")).tokens.access_token
    authenticate, _ = worker(world)
    assert (await authenticate(token)).user.is_admin

    await world.update_user(admin, second.id, UserChanges(rol=Role.USER))

    assert not (await authenticate(token)).user.is_admin
    assert not (await world.authenticate(token)).user.is_admin


async def test_a_deleted_account_is_refused_at_once_by_a_warm_worker(world: World) -> None:
    ana, admin, token = await ana_and_admin(world)
    authenticate, _ = worker(world)
    await authenticate(token)

    await world.delete_user(admin, ana.id or 0)

    with pytest.raises(InvalidToken):
        await authenticate(token)
    with pytest.raises(InvalidToken):  # and stays refused (the cached absence is honoured)
        await authenticate(token)


async def test_re_enabling_an_account_lets_it_in_again_at_once(world: World) -> None:
    ana, admin, token = await ana_and_admin(world)
    authenticate, _ = worker(world)
    await world.update_user(admin, ana.id or 0, UserChanges(activo=False))
    with pytest.raises(InvalidToken):
        await authenticate(token)

    await world.update_user(admin, ana.id or 0, UserChanges(activo=True))

    assert (await authenticate(token)).user.activo


async def test_logout_is_checked_on_every_request_even_with_a_warm_cache(world: World) -> None:
    await ana_and_admin(world)
    pair = (await world.login(ANA_LOGIN, client="c")).tokens
    authenticate, _ = worker(world)
    principal = await authenticate(pair.access_token)

    await world.logout(principal, pair.refresh_token)

    with pytest.raises(InvalidToken):
        await authenticate(pair.access_token)


async def test_promoting_an_existing_account_through_ensure_admin_applies_at_once(world: World) -> None:
    _, _, token = await ana_and_admin(world)
    authenticate, _ = worker(world)
    assert not (await authenticate(token)).user.is_admin

    await world.ensure_admin("ana@example.org", "admin-password-ana")

    with pytest.raises(InvalidToken, match="revocado"):  # its password was replaced: its logins ended
        await authenticate(token)
    again = (await world.login(Credentials("ana@example.org", "admin-password-ana"), client="c")).tokens
    assert (await authenticate(again.access_token)).user.is_admin


async def test_a_rehash_at_login_bumps_the_account_version(world: World) -> None:
    ana, _, _ = await ana_and_admin(world)
    async with world.uow() as uow:
        ana.password_hash = LEGACY + "correct horse"
        await uow.users.update(ana)
        await uow.commit()
    before = (await world.state.get_many([account_version(ana.id or 0)]))[account_version(ana.id or 0)]

    await world.login(ANA_LOGIN, client="c")

    after = (await world.state.get_many([account_version(ana.id or 0)]))[account_version(ana.id or 0)]
    assert after == before + 1


async def test_a_write_that_bypasses_the_use_cases_is_seen_once_the_ttl_has_passed(world: World) -> None:
    ana, _, token = await ana_and_admin(world)
    authenticate, _ = worker(world)
    await authenticate(token)
    async with world.uow() as uow:  # SQL by hand: no version bump
        ana.activo = False
        await uow.users.update(ana)
        await uow.commit()

    await authenticate(token)  # still the cached copy, within the time-to-live
    world.clock.advance(5.01)

    with pytest.raises(InvalidToken):
        await authenticate(token)


async def test_changing_the_principal_does_not_change_the_cached_account(world: World) -> None:
    _, _, token = await ana_and_admin(world)
    authenticate, _ = worker(world)
    principal = await authenticate(token)

    principal.user.rol = Role.ADMIN
    principal.user.nombre = "Mallory"

    again = (await authenticate(token)).user
    assert again.rol is Role.USER and again.nombre == "Ana"


async def test_a_copy_loaded_before_a_concurrent_write_is_not_used_after_it(world: World) -> None:
    ana, admin, token = await ana_and_admin(world)
    cache = AccountCache(world.clock)
    authenticate = Authenticate(world.codec, world.state, world.uow, cache)
    # the version was read (0), then the old row loaded; meanwhile an admin disables the account
    version = (await world.state.get_many([account_version(ana.id or 0)]))[account_version(ana.id or 0)]
    cache.put(ana.id or 0, version, ana)
    await world.update_user(admin, ana.id or 0, UserChanges(activo=False))

    with pytest.raises(InvalidToken):
        await authenticate(token)


def test_the_cache_is_bounded_and_drops_its_oldest_entry(world: World) -> None:
    cache = AccountCache(world.clock, max_entries=2)
    users = [User(f"U{n}", f"u{n}@example.org", Role.USER, True, world.clock.now(), id=n) for n in range(3)]
    for user in users:
        cache.put(user.id or 0, 0, user)

    assert len(cache) == 2
    assert cache.get(0, 0) == (False, None)
    assert cache.get(2, 0) == (True, users[2])


def test_entries_expire_and_answer_only_for_their_version(world: World) -> None:
    cache = AccountCache(world.clock, ttl_s=1)
    user = User("U", "u@example.org", Role.USER, True, world.clock.now(), id=7)
    cache.put(7, 3, user)

    assert cache.get(7, 3) == (True, user)
    assert cache.get(7, 4) == (False, None)
    world.clock.advance(1)
    assert cache.get(7, 3) == (False, None)

from __future__ import annotations

import pytest

from ova.application.accounts.commands import Credentials, Registration
from ova.domain.errors import (
    AccountDisabled,
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidToken,
    RefreshTokenReused,
    TooManyAttempts,
)
from ova.domain.users import Role
from tests.fakes.security import LEGACY
from tests.unit.world import World, build_world

ANA = Registration(nombre="Ana", email="Ana@Example.org", password="correct horse")


async def test_registration_creates_an_active_user_with_a_hashed_password(world: World) -> None:
    user = await world.register(ANA, client="1.2.3.4")
    assert user.id is not None
    assert user.email == "ana@example.org"
    assert user.rol is Role.USER and user.activo
    assert user.password_hash and "correct horse" not in user.password_hash


async def test_registering_an_email_twice_in_any_case_is_refused(world: World) -> None:
    await world.register(ANA, client="1.2.3.4")
    with pytest.raises(EmailAlreadyRegistered):
        await world.register(Registration("Otra", "ANA@example.ORG", "another pass"), client="1.2.3.4")


async def test_registrations_are_limited_per_address() -> None:
    world = build_world(registrations=2)
    await world.register(Registration("A", "a@example.org", "password1"), client="9.9.9.9")
    await world.register(Registration("B", "b@example.org", "password1"), client="9.9.9.9")
    with pytest.raises(TooManyAttempts):
        await world.register(Registration("C", "c@example.org", "password1"), client="9.9.9.9")
    await world.register(Registration("C", "c@example.org", "password1"), client="8.8.8.8")


async def test_login_returns_a_token_pair_whose_access_token_authenticates(world: World) -> None:
    await world.register(ANA, client="c")
    result = await world.login(Credentials("ana@example.org", "correct horse"), client="c")
    principal = await world.authenticate(result.tokens.access_token)
    assert principal.user.email == "ana@example.org"
    assert principal.claims.sub == "ana@example.org"
    assert result.tokens.token_type == "bearer" and result.tokens.expires_in == 1800


async def test_unknown_email_and_wrong_password_fail_the_same_way(world: World) -> None:
    await world.register(ANA, client="c")
    with pytest.raises(InvalidCredentials) as wrong_password:
        await world.login(Credentials("ana@example.org", "wrong password"), client="c")
    before = world.hasher.verifications
    with pytest.raises(InvalidCredentials) as unknown:
        await world.login(Credentials("nobody@example.org", "wrong password"), client="c")
    assert world.hasher.verifications == before + 1, "an unknown email still costs one verification"
    assert wrong_password.value.detail == unknown.value.detail


async def test_a_user_without_password_cannot_log_in(world: World) -> None:
    admin = await world.admin("root@example.org", "admin-password")
    assert admin is not None
    from ova.application.users.commands import NewUser

    await world.create_user(admin, NewUser(nombre="Contacto", email="contact@example.org"))
    with pytest.raises(InvalidCredentials):
        await world.login(Credentials("contact@example.org", "anything at all"), client="c")


async def test_one_address_guessing_is_stopped_for_every_account_it_tries() -> None:
    world = build_world(login_failures=3)
    await world.register(ANA, client="c")
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await world.login(Credentials("ana@example.org", "bad password"), client="10.0.0.1")
    with pytest.raises(TooManyAttempts) as limited:
        await world.login(Credentials("ana@example.org", "correct horse"), client="10.0.0.1")
    assert limited.value.retry_after_s >= 1
    with pytest.raises(TooManyAttempts):
        await world.login(Credentials("someone@example.org", "x"), client="10.0.0.1")


async def test_failures_from_other_addresses_do_not_lock_the_owner_out() -> None:
    world = build_world()  # the defaults: 5 per address, 100 per account
    await world.register(ANA, client="c")
    for attacker in ("10.0.0.1", "10.0.0.2"):
        for _ in range(5):
            with pytest.raises(InvalidCredentials):
                await world.login(Credentials("ana@example.org", "bad password"), client=attacker)
        with pytest.raises(TooManyAttempts):
            await world.login(Credentials("ana@example.org", "bad password"), client=attacker)
    result = await world.login(Credentials("ana@example.org", "correct horse"), client="192.0.2.7")
    assert result.user.email == "ana@example.org"


async def test_guessing_spread_over_many_addresses_reaches_the_account_ceiling() -> None:
    world = build_world(login_failures=2, account_failures=6)
    await world.register(ANA, client="c")
    for attacker in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        for _ in range(2):
            with pytest.raises(InvalidCredentials):
                await world.login(Credentials("ana@example.org", "bad password"), client=attacker)
    with pytest.raises(TooManyAttempts) as limited:
        await world.login(Credentials("ana@example.org", "correct horse"), client="10.0.0.4")
    assert limited.value.retry_after_s >= 1
    await world.register(Registration(nombre="Bea", email="bea@example.org", password="other horse"), client="c")
    assert (await world.login(Credentials("bea@example.org", "other horse"), client="10.0.0.4")).user.email \
        == "bea@example.org", "the ceiling is the account's alone"


async def test_a_successful_login_does_not_clear_the_account_failures() -> None:
    world = build_world(login_failures=5, account_failures=2)
    await world.register(ANA, client="c")
    with pytest.raises(InvalidCredentials):
        await world.login(Credentials("ana@example.org", "bad password"), client="a1")
    await world.login(Credentials("ana@example.org", "correct horse"), client="a2")
    with pytest.raises(InvalidCredentials):
        await world.login(Credentials("ana@example.org", "bad password"), client="a3")
    with pytest.raises(TooManyAttempts):
        await world.login(Credentials("ana@example.org", "correct horse"), client="a4")


async def test_a_disabled_account_cannot_log_in(world: World) -> None:
    user = await world.register(ANA, client="c")
    async with world.uow() as uow:
        user.activo = False
        await uow.users.update(user)
        await uow.commit()
    with pytest.raises(AccountDisabled):
        await world.login(Credentials("ana@example.org", "correct horse"), client="c")


async def test_a_legacy_hash_is_replaced_on_the_next_login(world: World) -> None:
    user = await world.register(ANA, client="c")
    async with world.uow() as uow:
        user.password_hash = LEGACY + "correct horse"
        await uow.users.update(user)
        await uow.commit()
    await world.login(Credentials("ana@example.org", "correct horse"), client="c")
    async with world.uow() as uow:
        stored = await uow.users.get(user.id or 0)
    assert stored is not None and stored.password_hash is not None
    assert not stored.password_hash.startswith(LEGACY)


async def test_refresh_rotates_and_the_old_refresh_token_then_kills_the_family(world: World) -> None:
    await world.register(ANA, client="c")
    first = (await world.login(Credentials("ana@example.org", "correct horse"), client="c")).tokens
    second = await world.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    third = await world.refresh(second.refresh_token)
    with pytest.raises(RefreshTokenReused):
        await world.refresh(first.refresh_token)
    with pytest.raises(InvalidToken):
        await world.refresh(third.refresh_token)
    with pytest.raises(InvalidToken):
        await world.authenticate(third.access_token)


async def test_an_access_token_is_not_a_refresh_token(world: World) -> None:
    await world.register(ANA, client="c")
    pair = (await world.login(Credentials("ana@example.org", "correct horse"), client="c")).tokens
    with pytest.raises(InvalidToken):
        await world.refresh(pair.access_token)


async def test_logout_revokes_the_access_token_and_the_refresh_family(world: World) -> None:
    await world.register(ANA, client="c")
    pair = (await world.login(Credentials("ana@example.org", "correct horse"), client="c")).tokens
    other = (await world.login(Credentials("ana@example.org", "correct horse"), client="c")).tokens
    principal = await world.authenticate(pair.access_token)
    await world.logout(principal, pair.refresh_token)
    with pytest.raises(InvalidToken):
        await world.authenticate(pair.access_token)
    with pytest.raises(InvalidToken):
        await world.refresh(pair.refresh_token)
    assert (await world.authenticate(other.access_token)).user.email == "ana@example.org"


async def test_expired_access_tokens_are_refused(world: World) -> None:
    await world.register(ANA, client="c")
    pair = (await world.login(Credentials("ana@example.org", "correct horse"), client="c")).tokens
    world.clock.advance(1801)
    with pytest.raises(InvalidToken):
        await world.authenticate(pair.access_token)


async def test_a_deleted_or_disabled_user_loses_access_at_once(world: World) -> None:
    user = await world.register(ANA, client="c")
    pair = (await world.login(Credentials("ana@example.org", "correct horse"), client="c")).tokens
    async with world.uow() as uow:
        user.activo = False
        await uow.users.update(user)
        await uow.commit()
    with pytest.raises(InvalidToken):
        await world.authenticate(pair.access_token)

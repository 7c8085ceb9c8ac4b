from __future__ import annotations

import pytest

from ova.application.accounts.commands import Credentials, Registration
from ova.application.users.commands import NewUser, UserChanges
from ova.domain.errors import EmailAlreadyRegistered, Forbidden, InvalidToken, LastAdmin, NotFound
from ova.domain.users import Role, User
from tests.unit.world import World


async def admin_and_user(world: World) -> tuple[User, User]:
    admin = await world.admin("root@example.org", "admin-password", "Root")
    user = await world.register(Registration("Ana", "ana@example.org", "password-ana"), client="c")
    assert admin is not None
    return admin, user


async def test_only_admins_list_users_and_the_query_filters(world: World) -> None:
    admin, user = await admin_and_user(world)
    page = await world.list_users(admin, skip=0, limit=10, query="ANA")
    assert [u.email for u in page.items] == ["ana@example.org"] and page.total == 1
    with pytest.raises(Forbidden):
        await world.list_users(user, skip=0, limit=10)


async def test_a_user_reads_themself_but_not_others(world: World) -> None:
    admin, user = await admin_and_user(world)
    assert (await world.get_user(user, user.id or 0)).email == "ana@example.org"
    with pytest.raises(Forbidden):
        await world.get_user(user, admin.id or 0)
    with pytest.raises(NotFound):
        await world.get_user(admin, 999)


async def test_admins_create_users_with_or_without_password(world: World) -> None:
    admin, _ = await admin_and_user(world)
    contact = await world.create_user(admin, NewUser(nombre="Sin clave", email="Lista@Example.org"))
    assert contact.password_hash is None and contact.email == "lista@example.org"
    second_admin = await world.create_user(admin, NewUser("Bea", "bea@example.org", "password-bea", Role.ADMIN))
    assert second_admin.rol is Role.ADMIN
    with pytest.raises(EmailAlreadyRegistered):
        await world.create_user(admin, NewUser("Dup", "BEA@example.org"))


async def test_users_change_their_own_name_email_and_password_but_not_their_role(world: World) -> None:
    _, user = await admin_and_user(world)
    changed = await world.update_user(user, user.id or 0, UserChanges(nombre="Ana María", email="am@example.org"))
    assert (changed.nombre, changed.email) == ("Ana María", "am@example.org")
    with pytest.raises(Forbidden):
        await world.update_user(user, user.id or 0, UserChanges(rol=Role.ADMIN))
    with pytest.raises(Forbidden):
        await world.update_user(user, user.id or 0, UserChanges(activo=False))


async def test_changing_to_a_taken_email_is_a_conflict(world: World) -> None:
    _, user = await admin_and_user(world)
    with pytest.raises(EmailAlreadyRegistered):
        await world.update_user(user, user.id or 0, UserChanges(email="ROOT@example.org"))


async def test_a_new_password_ends_existing_logins(world: World) -> None:
    _, user = await admin_and_user(world)
    pair = (await world.login(Credentials("ana@example.org", "password-ana"), client="c")).tokens
    await world.update_user(user, user.id or 0, UserChanges(password="a new password"))
    with pytest.raises(InvalidToken):
        await world.refresh(pair.refresh_token)
    await world.login(Credentials("ana@example.org", "a new password"), client="c")


async def test_the_last_active_admin_can_be_neither_deleted_nor_demoted_nor_disabled(world: World) -> None:
    admin, _ = await admin_and_user(world)
    with pytest.raises(LastAdmin):
        await world.delete_user(admin, admin.id or 0)
    with pytest.raises(LastAdmin):
        await world.update_user(admin, admin.id or 0, UserChanges(rol=Role.USER))
    with pytest.raises(LastAdmin):
        await world.update_user(admin, admin.id or 0, UserChanges(activo=False))
    other = await world.create_user(admin, NewUser("Bea", "bea@example.org", "password-bea", Role.ADMIN))
    await world.update_user(admin, admin.id or 0, UserChanges(rol=Role.USER))
    with pytest.raises(LastAdmin):
        await world.delete_user(other, other.id or 0)


async def test_admins_delete_users_and_users_cannot(world: World) -> None:
    admin, user = await admin_and_user(world)
    with pytest.raises(Forbidden):
        await world.delete_user(user, user.id or 0)
    await world.delete_user(admin, user.id or 0)
    with pytest.raises(NotFound):
        await world.get_user(admin, user.id or 0)
    with pytest.raises(NotFound):
        await world.delete_user(admin, user.id or 0)


async def test_ensure_admin_promotes_an_existing_account_and_respects_only_if_none(world: World) -> None:
    _, user = await admin_and_user(world)
    assert await world.ensure_admin("x@example.org", "password-x", only_if_none=True) is None
    promoted = await world.ensure_admin("ANA@example.org", "new-password")
    assert promoted is not None and not promoted.created
    assert promoted.user.id == user.id and promoted.user.rol is Role.ADMIN

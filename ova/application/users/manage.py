"""Use cases on accounts. Each checks who is asking before it reads or writes."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from ova.application.accounts.account_cache import account_changed
from ova.application.accounts.end_logins import end_logins, refuse_their_tokens
from ova.application.authorization import require_admin, require_self_or_admin
from ova.application.ports.clock import Clock
from ova.application.ports.repositories import Page, UserRepository
from ova.application.ports.security import PasswordHasher
from ova.application.ports.shared_state import Counters, RevocationList
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.application.users.commands import NewUser, UserChanges
from ova.domain.errors import Forbidden, LastAdmin, NotFound
from ova.domain.text import normalize_email
from ova.domain.tokens import RefreshSession
from ova.domain.users import Role, User

USER_NOT_FOUND = "Usuario no encontrado."


async def _existing(users: UserRepository, user_id: int) -> User:
    user = await users.get(user_id)
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    return user


async def _keep_an_admin(users: UserRepository, before: User, after: User | None) -> None:
    """Refuse a change that would leave no active admin."""
    if before.is_active_admin and not (after and after.is_active_admin) and await users.count_active_admins() <= 1:
        raise LastAdmin()


@frozen
class ListUsers:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, *, skip: int, limit: int, query: str | None = None) -> Page[User]:
        require_admin(actor)
        async with self.uow(read_only=True) as uow:
            return await uow.users.list(skip=skip, limit=limit, query=query or None)


@frozen
class GetUser:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, user_id: int) -> User:
        require_self_or_admin(actor, user_id)
        async with self.uow(read_only=True) as uow:
            return await _existing(uow.users, user_id)


@frozen
class CreateUser:
    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock

    async def __call__(self, actor: User, new: NewUser) -> User:
        require_admin(actor)
        password_hash = await self.hasher.hash(new.password) if new.password else None
        async with self.uow() as uow:
            user = await uow.users.add(
                User(
                    nombre=new.nombre.strip(),
                    email=normalize_email(new.email),
                    rol=new.rol,
                    activo=True,
                    fecha_registro=self.clock.now(),
                    password_hash=password_hash,
                )
            )
            await uow.commit()
        return user


@frozen
class UpdateUser:
    """A new password ends every other login of that account at once: its refresh families are
    revoked and so are their access tokens, on every worker. The login that changed its own password
    (``login``, the family of the actor's token) keeps working; an admin's reset ends them all.
    Disabling an account ends its refresh families (its access tokens are refused while it stays
    disabled). Every worker sees the change on its next request (the account's shared version is
    bumped)."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    versions: Counters
    revocations: RevocationList

    async def __call__(self, actor: User, user_id: int, changes: UserChanges, *, login: str | None = None) -> User:
        require_self_or_admin(actor, user_id)
        if (changes.rol is not None or changes.activo is not None) and not actor.is_admin:
            raise Forbidden("Solo un administrador puede cambiar el rol o el estado de una cuenta.")
        password_hash = await self.hasher.hash(changes.password) if changes.password else None
        ended: Sequence[RefreshSession] = ()
        async with self.uow() as uow:
            before = await _existing(uow.users, user_id)
            after = User(
                id=before.id,
                nombre=changes.nombre.strip() if changes.nombre is not None else before.nombre,
                email=normalize_email(changes.email) if changes.email is not None else before.email,
                rol=changes.rol if changes.rol is not None else before.rol,
                activo=changes.activo if changes.activo is not None else before.activo,
                fecha_registro=before.fecha_registro,
                password_hash=password_hash or before.password_hash,
            )
            await _keep_an_admin(uow.users, before, after)
            updated = await uow.users.update(after)
            if password_hash is not None:
                kept = login if actor.id == user_id and updated.activo else None
                ended = await end_logins(uow, user_id, keep=kept)
            elif not updated.activo:  # its access tokens are refused while it is disabled
                await end_logins(uow, user_id)
            await uow.commit()
        await account_changed(self.versions, user_id)
        await refuse_their_tokens(self.revocations, ended)
        return updated


@frozen
class DeleteUser:
    uow: UnitOfWorkFactory
    versions: Counters

    async def __call__(self, actor: User, user_id: int) -> None:
        require_admin(actor)
        async with self.uow() as uow:
            user = await _existing(uow.users, user_id)
            await _keep_an_admin(uow.users, user, None)
            await uow.users.delete(user_id)
            await uow.commit()
        await account_changed(self.versions, user_id)


@frozen
class AdminReady:
    """What ``EnsureAdmin`` did: ``created`` a new account, or (``created`` false) promoted and
    re-activated an existing one, replaced its password and ended every login it had."""

    user: User
    created: bool


@frozen
class EnsureAdmin:
    """Creates an admin, or promotes and re-activates an existing account (the CLI and start-up use it).

    An existing account gets the new password, and every login it had ends at once (refresh and
    access tokens), as an admin's password reset does. With ``only_if_none=True`` (start-up's
    ``OVA_ADMIN_EMAIL``) it does nothing when an active admin exists already.
    """

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    versions: Counters
    revocations: RevocationList

    async def __call__(self, email: str, password: str, nombre: str = "Administrador", *,
                       only_if_none: bool = False) -> AdminReady | None:
        email = normalize_email(email)
        async with self.uow(read_only=True) as uow:
            if only_if_none and await uow.users.count_active_admins() > 0:
                return None
        password_hash = await self.hasher.hash(password)
        ended: Sequence[RefreshSession] = ()
        async with self.uow() as uow:
            user = await uow.users.get_by_email(email)
            created = user is None
            if user is None:
                user = await uow.users.add(
                    User(nombre=nombre, email=email, rol=Role.ADMIN, activo=True,
                         fecha_registro=self.clock.now(), password_hash=password_hash)
                )
            else:
                user.rol, user.activo, user.password_hash = Role.ADMIN, True, password_hash
                user = await uow.users.update(user)
                assert user.id is not None
                ended = await end_logins(uow, user.id)
            await uow.commit()
        assert user.id is not None
        await account_changed(self.versions, user.id)
        await refuse_their_tokens(self.revocations, ended)
        return AdminReady(user=user, created=created)

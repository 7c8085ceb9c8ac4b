from __future__ import annotations

from attrs import frozen

from ova.application.accounts.account_cache import AccountCache, account_version
from ova.application.accounts.refresh import FAMILY_PREFIX
from ova.application.ports.security import TokenCodec
from ova.application.ports.shared_state import TokenChecks
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.errors import InvalidToken
from ova.domain.tokens import AccessClaims
from ova.domain.users import User


@frozen
class Principal:
    """The user behind a request and the token that proved it."""

    user: User
    claims: AccessClaims


@frozen
class Authenticate:
    """Turns an access token into a ``Principal``: signature and expiry, then revocation (of the
    token or its whole login), then the account as stored now (deleted or disabled users lose access
    at once, and a changed role applies at once).

    The account comes from ``accounts``, this process's cache, while the account's shared version
    (read in the same round trip as the revocation check) says the copy is current; otherwise from
    the database. See ``ova.application.accounts.account_cache``.
    """

    codec: TokenCodec
    state: TokenChecks
    uow: UnitOfWorkFactory
    accounts: AccountCache

    async def __call__(self, access_token: str) -> Principal:
        claims = self.codec.decode_access(access_token)
        uid = claims.uid
        revoked, version = await self.state.revoked_and_counter(
            (claims.jti, FAMILY_PREFIX + claims.family), account_version(uid)
        )
        if revoked:
            raise InvalidToken("El token ha sido revocado.")
        cached, user = self.accounts.get(uid, version)
        if not cached:
            async with self.uow(read_only=True) as uow:
                user = await uow.users.get(uid)
            self.accounts.put(uid, version, user)
        if user is None or not user.activo:
            raise InvalidToken("La cuenta ya no está disponible.")
        return Principal(user=user, claims=claims)

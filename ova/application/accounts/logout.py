from __future__ import annotations

from attrs import frozen

from ova.application.accounts.authenticate import Principal
from ova.application.accounts.refresh import FAMILY_PREFIX
from ova.application.ports.security import TokenCodec
from ova.application.ports.shared_state import RevocationList
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.errors import InvalidToken


@frozen
class LogOut:
    """Revokes the access token and its login (refresh family); also the family of a refresh token
    sent along, when it belongs to the same user."""

    uow: UnitOfWorkFactory
    codec: TokenCodec
    revocations: RevocationList

    async def __call__(self, principal: Principal, refresh_token: str | None = None) -> None:
        families = {principal.claims.family}
        if refresh_token:
            try:
                refresh = self.codec.decode_refresh(refresh_token)
            except InvalidToken:
                refresh = None
            if refresh is not None and refresh.uid == principal.claims.uid:
                families.add(refresh.family)
        async with self.uow() as uow:
            sessions = [await uow.refresh_sessions.get(family) for family in families]
            for family in families:
                await uow.refresh_sessions.revoke(family)
            await uow.commit()
        await self.revocations.revoke(principal.claims.jti, until=principal.claims.expires_at)
        for session in sessions:
            if session is not None:
                await self.revocations.revoke(FAMILY_PREFIX + session.family, until=session.expires_at)

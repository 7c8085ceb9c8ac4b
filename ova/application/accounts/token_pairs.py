"""Issuing token pairs: an access token and the first (or next) refresh token of a family."""

from __future__ import annotations

from attrs import frozen

from ova.application.ports.clock import Clock, IdGenerator
from ova.application.ports.security import TokenCodec
from ova.application.ports.unit_of_work import UnitOfWork
from ova.domain.tokens import RefreshSession, TokenPair
from ova.domain.users import User


@frozen
class TokenPairs:
    codec: TokenCodec
    clock: Clock
    ids: IdGenerator

    async def start_family(self, uow: UnitOfWork, user: User) -> TokenPair:
        """A new login: a new family whose first refresh token is the only one allowed next."""
        assert user.id is not None
        family = self.ids.new_id()
        refresh_jti = self.ids.new_id()
        refresh, claims = self.codec.encode_refresh(user, jti=refresh_jti, family=family, now=self.clock.now())
        await uow.refresh_sessions.add(
            RefreshSession(family=family, user_id=user.id, current_jti=refresh_jti, expires_at=claims.expires_at)
        )
        return self.pair(user, family, refresh)

    def pair(self, user: User, family: str, refresh_token: str) -> TokenPair:
        access, _ = self.codec.encode_access(user, jti=self.ids.new_id(), family=family, now=self.clock.now())
        return TokenPair(access_token=access, refresh_token=refresh_token, expires_in=self.codec.access_lifetime_s)

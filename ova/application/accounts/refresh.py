from __future__ import annotations

from attrs import frozen

from ova.application.accounts.token_pairs import TokenPairs
from ova.application.ports.shared_state import RevocationList
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.errors import InvalidToken, RefreshTokenReused
from ova.domain.tokens import TokenPair

FAMILY_PREFIX = "family:"


@frozen
class RefreshTokens:
    """Trades a refresh token for a new pair. Each refresh token works once: presenting a used one
    means it was copied, so the whole family (every token of that login) is revoked.

    A rotation needs only the database. A reuse also needs the shared state (the revocation marker
    of the family's access tokens); while that is down the reuse is refused with
    ``DependencyUnavailable`` and nothing changes, so the signal is kept for the next try."""

    uow: UnitOfWorkFactory
    tokens: TokenPairs
    revocations: RevocationList

    async def __call__(self, refresh_token: str) -> TokenPair:
        claims = self.tokens.codec.decode_refresh(refresh_token)
        async with self.uow() as uow:
            session = await uow.refresh_sessions.get(claims.family)
            if session is None or session.revoked or session.user_id != claims.uid:
                raise InvalidToken()
            user = await uow.users.get(claims.uid)
            if user is None or not user.can_log_in:
                raise InvalidToken()
            next_jti = self.tokens.ids.new_id()
            refresh, next_claims = self.tokens.codec.encode_refresh(
                user, jti=next_jti, family=claims.family, now=self.tokens.clock.now()
            )
            rotated = session.current_jti == claims.jti and await uow.refresh_sessions.rotate(
                claims.family, expected_jti=claims.jti, new_jti=next_jti, expires_at=next_claims.expires_at
            )
            if not rotated:
                # The shared state's marker first (it refuses the family's access tokens), then the
                # database (its refresh tokens): when the shared state is down the request fails with
                # DependencyUnavailable before anything is committed, so the copied token is still a
                # reuse when it comes back (the 503 asks for a retry) and then revokes the family.
                # The other order would revoke the refresh tokens but leave the family's access
                # tokens working after the outage, and the token would then only look revoked.
                await self.revocations.revoke(FAMILY_PREFIX + claims.family, until=session.expires_at)
                await uow.refresh_sessions.revoke(claims.family)
                await uow.commit()
                raise RefreshTokenReused()
            pair = self.tokens.pair(user, claims.family, refresh)
            await uow.commit()
        return pair

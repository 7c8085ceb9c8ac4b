"""Ending an account's logins when its password changes (or the account is disabled).

Every access token names its login (its refresh family), and ``Authenticate`` already reads that
family's revocation marker in the same round trip as the account's version. So ending the other
logins at once, on every worker, costs nothing per request: the families are revoked in the
database (no refresh token of theirs works again) and, after the commit, each is marked revoked in
the shared state until it expires (no access token of theirs works again).
"""

from __future__ import annotations

from collections.abc import Sequence

from ova.application.accounts.refresh import FAMILY_PREFIX
from ova.application.ports.shared_state import RevocationList
from ova.application.ports.unit_of_work import UnitOfWork
from ova.domain.tokens import RefreshSession


async def end_logins(uow: UnitOfWork, user_id: int, *, keep: str | None = None) -> Sequence[RefreshSession]:
    """Revoke, inside ``uow``, every login of ``user_id`` but the family ``keep``. Pass the result
    to ``refuse_their_tokens`` after the commit."""
    return await uow.refresh_sessions.revoke_all_for_user(user_id, keep=keep)


async def refuse_their_tokens(revocations: RevocationList, ended: Sequence[RefreshSession]) -> None:
    """Mark the ended logins revoked in the shared state, so their access tokens are refused too.

    A family's refresh session outlives every access token issued with it, so its expiry bounds the
    marker."""
    for session in ended:
        await revocations.revoke(FAMILY_PREFIX + session.family, until=session.expires_at)

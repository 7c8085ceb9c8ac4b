from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ova.adapters.sqlalchemy.tables import refresh_sessions as sessions
from ova.domain.tokens import RefreshSession


def _to_session(row: Row[Any]) -> RefreshSession:
    return RefreshSession(
        family=row.family,
        user_id=row.user_id,
        current_jti=row.current_jti,
        expires_at=row.expires_at,
        revoked=row.revoked,
    )


class SqlRefreshSessionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, session: RefreshSession) -> None:
        await self._conn.execute(
            insert(sessions).values(
                family=session.family,
                user_id=session.user_id,
                current_jti=session.current_jti,
                expires_at=session.expires_at,
                revoked=session.revoked,
            )
        )

    async def get(self, family: str) -> RefreshSession | None:
        row = (await self._conn.execute(select(sessions).where(sessions.c.family == family))).first()
        return _to_session(row) if row else None

    async def rotate(self, family: str, *, expected_jti: str, new_jti: str, expires_at: datetime) -> bool:
        result = await self._conn.execute(
            update(sessions)
            .where(
                sessions.c.family == family,
                sessions.c.current_jti == expected_jti,
                sessions.c.revoked.is_(False),
            )
            .values(current_jti=new_jti, expires_at=expires_at)
        )
        return result.rowcount == 1

    async def revoke(self, family: str) -> None:
        await self._conn.execute(update(sessions).where(sessions.c.family == family).values(revoked=True))

    async def revoke_all_for_user(self, user_id: int, *, keep: str | None = None) -> list[RefreshSession]:
        mine = sessions.c.user_id == user_id
        if keep is not None:
            mine = mine & (sessions.c.family != keep)
        # update first, so the rows read back are locked and current (a rotation may have moved expires_at)
        await self._conn.execute(update(sessions).where(mine).values(revoked=True))
        return [_to_session(row) for row in await self._conn.execute(select(sessions).where(mine))]

    async def delete_expired(self, now: datetime) -> int:
        result = await self._conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
        return result.rowcount

"""A running app purges expired refresh sessions on its own: the container's housekeeping is started by
the lifespan and stopped before the container's resources close."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ova.config import load_settings
from ova.domain.tokens import RefreshSession
from ova.domain.users import Role, User
from ova.entrypoints.app import create_app


async def test_the_running_app_purges_expired_sessions_and_keeps_live_ones(tmp_path: Path) -> None:
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "h.db"), "SESSION_PURGE_INTERVAL_S": "1"},
                             env_file=tmp_path / "none")
    app = create_app(settings)
    container = app.state.container
    container.database().upgrade()
    now = datetime.now(UTC)
    async with container.uow()() as uow:
        user = await uow.users.add(User(nombre="Ana", email="ana@example.org", rol=Role.USER, activo=True,
                                        fecha_registro=now, password_hash="$argon2id$v=19$hash"))
        assert user.id is not None
        await uow.refresh_sessions.add(RefreshSession("old", user.id, "j1", now - timedelta(hours=1)))
        await uow.refresh_sessions.add(RefreshSession("live", user.id, "j2", now + timedelta(hours=1)))
        await uow.commit()

    async def remaining() -> set[str]:
        async with container.uow()(read_only=True) as uow:
            return {family for family in ("old", "live") if await uow.refresh_sessions.get(family) is not None}

    async with app.router.lifespan_context(app):
        assert container.housekeeping().running
        for _ in range(300):  # a deadline for a broken wiring, not a timing assertion
            if await remaining() == {"live"}:
                break
            await asyncio.sleep(0.05)
        assert await remaining() == {"live"}
    assert not container.housekeeping().running

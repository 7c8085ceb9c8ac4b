"""A MariaDB server that stops answering without closing its connections (a partition, a frozen host)
holds a request or a chat turn at most about ``DB_TIMEOUT_S``, then it fails as ``DatabaseUnavailable``
(503 ``database_unavailable`` for the client); once the server answers again, everything works."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from ova.adapters.sqlalchemy import migrator
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.turn_journal import SqlTurnJournal
from ova.config import load_settings
from ova.domain.chat import Speaker, Turn
from ova.domain.errors import DatabaseUnavailable
from ova.entrypoints.app import create_app
from tests.fakes.tcp_proxy import FreezableTcpProxy

pytestmark = pytest.mark.mariadb

DEADLINE_S = 15  # the test's own bound, far above DB_TIMEOUT_S: the server must not wait for the proxy
ALICE = {"nombre": "Alice", "email": "alice@example.org", "password": "password-alice"}
LOGIN = {"email": ALICE["email"], "password": ALICE["password"]}


async def test_a_frozen_database_answers_503_within_the_timeout_then_recovers(
    mariadb_url: str, tmp_path: Path,
) -> None:
    target = make_url(mariadb_url)
    assert target.host is not None and target.port is not None
    async with FreezableTcpProxy(target.host, target.port) as proxy:
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        await asyncio.to_thread(migrator.upgrade, url)
        app = create_app(load_settings({"DATABASE_URL": url, "DB_TIMEOUT_S": "1"}, env_file=tmp_path / "none"))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                assert (await client.post("/auth/register", json=ALICE)).status_code == 201

                proxy.freeze()
                async with asyncio.timeout(DEADLINE_S):
                    frozen_login = await client.post("/auth/login", json=LOGIN)
                    frozen_register = await client.post("/auth/register", json={**ALICE, "email": "bob@example.org"})
                assert frozen_login.status_code == 503, frozen_login.text
                assert frozen_login.json()["code"] == "database_unavailable"
                assert "Retry-After" in frozen_login.headers
                assert frozen_register.status_code == 503, frozen_register.text
                assert frozen_register.json()["code"] == "database_unavailable"

                proxy.thaw()
                async with asyncio.timeout(DEADLINE_S):
                    login = await client.post("/auth/login", json=LOGIN)
                assert login.status_code == 200, login.text
        finally:
            await app.state.container.engine().dispose()


async def test_a_frozen_database_fails_a_turn_within_the_timeout(migrated_mariadb_url: str) -> None:
    target = make_url(migrated_mariadb_url)
    assert target.host is not None and target.port is not None
    async with FreezableTcpProxy(target.host, target.port) as proxy:
        engine = create_engine(target.set(port=proxy.port), timeout_s=1)
        journal = SqlTurnJournal(engine)
        turn = Turn(Speaker.USER, "hola", datetime(2026, 1, 1, tzinfo=UTC))
        chat_id = f"frozen-{secrets.token_hex(4)}"
        try:
            assert await journal.append(chat_id, turn, owner_id=None, title="", created_at=turn.at) == 1
            proxy.freeze()
            async with asyncio.timeout(DEADLINE_S):
                with pytest.raises(DatabaseUnavailable):
                    await journal.append(chat_id, turn, owner_id=None, title="")
            proxy.thaw()
            async with asyncio.timeout(DEADLINE_S):
                assert await journal.append(chat_id, turn, owner_id=None, title="") == 2
        finally:
            proxy.thaw()  # a journal still waiting on the server can then finish
            await journal.aclose()
            await engine.dispose()

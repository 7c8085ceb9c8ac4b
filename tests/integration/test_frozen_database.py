"""A MariaDB server that stops answering without closing its connections (a partition, a frozen host)
holds a request or a chat turn at most about ``DB_TIMEOUT_S``, then it fails as ``DatabaseUnavailable``
(503 ``database_unavailable`` for the client); once the server answers again, everything works.
That holds whether it freezes before a unit of work takes its connection or between its statements."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.sqlalchemy import migrator
from ova.adapters.sqlalchemy.engine import create_engine, pool_status
from ova.adapters.sqlalchemy.turn_journal import SqlTurnJournal
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWorkFactory
from ova.config import load_settings
from ova.domain.chat import Speaker, Turn
from ova.domain.contact import ContactMessage
from ova.domain.errors import DatabaseUnavailable
from ova.entrypoints.app import create_app
from tests.fakes.tcp_proxy import FreezableTcpProxy

pytestmark = pytest.mark.mariadb

DEADLINE_S = 15  # the test's own bound, far above DB_TIMEOUT_S: the server must not wait for the proxy
ALICE = {"nombre": "Alice", "email": "alice@example.org", "password": "password-alice"}
LOGIN = {"email": ALICE["email"], "password": ALICE["password"]}
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def freeze_before(engine: AsyncEngine, statement_start: str, proxy: FreezableTcpProxy) -> None:
    """Freeze ``proxy`` just before the first statement starting with ``statement_start`` is sent."""
    armed = [True]

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _freeze(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if armed[0] and statement.startswith(statement_start):
            armed[0] = False
            proxy.freeze()


@asynccontextmanager
async def proxied(
    url: str, *, timeout_s: float,
) -> AsyncIterator[tuple[FreezableTcpProxy, AsyncEngine, SqlUnitOfWorkFactory]]:
    """The database at ``url`` behind a freezable proxy: its engine (``DB_TIMEOUT_S`` = ``timeout_s``) and
    unit of work; the proxy thawed and the engine disposed at the end, whatever happened."""
    target = make_url(url)
    assert target.host is not None and target.port is not None
    async with FreezableTcpProxy(target.host, target.port) as proxy:
        engine = create_engine(target.set(port=proxy.port), timeout_s=timeout_s)
        try:
            yield proxy, engine, SqlUnitOfWorkFactory(engine)
        finally:
            proxy.thaw()  # a statement still waiting on the server can then finish
            await engine.dispose()


def no_connection_held(engine: AsyncEngine) -> bool:
    return pool_status(engine)["checked_out"] == 0


async def read_twice_freezing_between(
    uow: SqlUnitOfWorkFactory, proxy: FreezableTcpProxy, frozen: asyncio.Event | None = None,
) -> None:
    """One unit of work: a statement, the proxy frozen, a second statement."""
    async with uow(read_only=True) as work:
        await work.users.get(1)
        proxy.freeze()
        if frozen is not None:
            frozen.set()
        await work.users.get(1)


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


async def test_a_database_that_freezes_between_statements_fails_the_unit_of_work_within_the_timeout(
    migrated_mariadb_url: str,
) -> None:
    async with proxied(migrated_mariadb_url, timeout_s=1) as (proxy, engine, uow):
        async with asyncio.timeout(DEADLINE_S):
            with pytest.raises(DatabaseUnavailable):
                await read_twice_freezing_between(uow, proxy)
        assert no_connection_held(engine)
        proxy.thaw()
        async with asyncio.timeout(DEADLINE_S), uow(read_only=True) as work:
            assert await work.users.count_active_admins() >= 0
        assert no_connection_held(engine)


async def test_a_unit_of_work_cancelled_from_outside_stays_cancelled_and_drops_its_connection(
    migrated_mariadb_url: str,
) -> None:
    async with proxied(migrated_mariadb_url, timeout_s=5) as (proxy, engine, uow):
        frozen = asyncio.Event()
        task = asyncio.create_task(read_twice_freezing_between(uow, proxy, frozen))
        await frozen.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert no_connection_held(engine)
        proxy.thaw()
        async with asyncio.timeout(DEADLINE_S), uow(read_only=True) as work:
            assert await work.users.count_active_admins() >= 0


async def test_a_commit_acknowledged_before_the_database_froze_is_not_reported_as_failed(mariadb_url: str) -> None:
    await asyncio.to_thread(migrator.upgrade, mariadb_url)
    async with proxied(mariadb_url, timeout_s=1) as (proxy, engine, uow):
        async with asyncio.timeout(DEADLINE_S):
            async with uow() as work:
                await work.contacts.add(ContactMessage(nombre="Ana", email="ana@example.org", mensaje="hola",
                                                       fecha_envio=NOW))
                await work.commit()
                proxy.freeze()  # handing the connection back (its reset) now waits on the server
        assert no_connection_held(engine)
        proxy.thaw()
        async with asyncio.timeout(DEADLINE_S), uow(read_only=True) as work:
            assert (await work.contacts.list(skip=0, limit=10)).total == 1


async def test_a_request_whose_unit_of_work_freezes_midway_answers_503_within_the_timeout(
    mariadb_url: str, tmp_path: Path,
) -> None:
    target = make_url(mariadb_url)
    assert target.host is not None and target.port is not None
    async with FreezableTcpProxy(target.host, target.port) as proxy:
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        await asyncio.to_thread(migrator.upgrade, url)
        app = create_app(load_settings({"DATABASE_URL": url, "DB_TIMEOUT_S": "1"}, env_file=tmp_path / "none"))
        engine = app.state.container.engine()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                alice = (await client.post("/auth/register", json=ALICE)).json()
                token = (await client.post("/auth/login", json=LOGIN)).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}

                freeze_before(engine, "UPDATE users", proxy)  # after the update's SELECT of the account
                async with asyncio.timeout(DEADLINE_S):
                    frozen = await client.put(f"/usuarios/{alice['id']}", json={"nombre": "Alicia"}, headers=headers)
                assert frozen.status_code == 503, frozen.text
                assert frozen.json()["code"] == "database_unavailable"
                assert "Retry-After" in frozen.headers
                assert no_connection_held(engine)

                proxy.thaw()
                async with asyncio.timeout(DEADLINE_S):
                    renamed = await client.put(f"/usuarios/{alice['id']}", json={"nombre": "Alicia"}, headers=headers)
                assert renamed.status_code == 200, renamed.text
                assert renamed.json()["nombre"] == "Alicia"
        finally:
            proxy.thaw()
            await engine.dispose()

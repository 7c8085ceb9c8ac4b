"""A real ``ova serve`` whose Redis sits behind a TCP proxy that stops answering (frozen: a partition, a
frozen host) or resets every connection (killed). While Redis is out, what needs it answers 503 with
``Retry-After`` within about ``REDIS_TIMEOUT_S`` (never a hang), readiness and health say so, a logged-in
chat gets an ``unavailable`` frame per message and anonymous chat goes on; a refresh-token reuse seen
meanwhile still revokes its family afterwards. Once Redis is back everything works again without a
restart, and no acknowledged write is lost."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.e2e.chat_client import Frame, chat, closing_frame
from tests.e2e.conftest import Account, login, new_account
from tests.e2e.server import running_server, server_env
from tests.e2e.workers import redis_cleaned_up
from tests.fakes.tcp_proxy import ThreadedProxy, proxy_in_thread

pytestmark = pytest.mark.redis

REDIS_TIMEOUT_S = "1"
WAIT_S = 15  # each request's own bound, far above REDIS_TIMEOUT_S: a request that waits on the proxy fails


@pytest.fixture(scope="module")
def redis_behind_proxy() -> Iterator[ThreadedProxy]:
    cleanup = redis_cleaned_up()
    next(cleanup)
    with proxy_in_thread("127.0.0.1", 6379) as proxy:
        yield proxy
    next(cleanup, None)


@pytest.fixture(scope="module")
def base(redis_behind_proxy: ThreadedProxy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("redis-outage")
    env = server_env(tmp, {"REDIS_URL": f"redis://127.0.0.1:{redis_behind_proxy.port}/0",
                           "REDIS_TIMEOUT_S": REDIS_TIMEOUT_S})
    with running_server(env) as url:
        yield url


@pytest.fixture
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=WAIT_S) as http:
        yield http


def answered(frames: list[Frame]) -> str:
    closing = closing_frame(frames)
    assert closing["type"] == "text", frames
    return str(closing["text"])


def assert_out(client: httpx.Client, account: Account) -> None:
    """What needs Redis answers 503 with Retry-After (within the client's WAIT_S, not a hang)."""
    for response in (login(client, account.email, account.password),
                     client.get("/auth/me", headers=account.headers)):
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "unavailable"
        assert int(response.headers["Retry-After"]) > 0
    ready = client.get("/status/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["cache"] == "down", ready.text
    health = client.get("/status/health")
    assert health.status_code == 503 and health.json()["status"] == "down", health.text


def assert_back(client: httpx.Client, account: Account) -> Account:
    """Everything works again, without restarting the server; a new login of ``account``."""
    assert client.get("/status/ready").status_code == 200
    assert client.get("/status/health").json()["status"] != "down"
    logged_in = login(client, account.email, account.password)
    assert logged_in.status_code == 200, logged_in.text
    again = Account(account.id, account.email, account.password, logged_in.json()["access_token"],
                    logged_in.json()["refresh_token"])
    assert client.get("/auth/me", headers=again.headers).status_code == 200
    return again


def stored_turns(client: httpx.Client, account: Account, chat_id: str) -> list[str]:
    stored = client.get(f"/chats/{chat_id}/mensajes", params={"limit": 500}, headers=account.headers)
    assert stored.status_code == 200, stored.text
    return [turn["text"] for turn in stored.json()]


@pytest.mark.parametrize("outage", ["frozen", "killed"])
def test_a_redis_outage_answers_503_at_once_and_everything_recovers_after_it(
    outage: str, base: str, client: httpx.Client, redis_behind_proxy: ThreadedProxy,
) -> None:
    proxy = redis_behind_proxy
    account = new_account(client, f"Caida{secrets.token_hex(2)}")
    with ExitStack() as chats:
        logged_in = chats.enter_context(chat(base, f"/ws?token={account.token}"))
        anonymous = chats.enter_context(chat(base))
        before = answered(logged_in.ask("antes del corte"))

        proxy.freeze() if outage == "frozen" else proxy.kill()
        try:
            assert_out(client, account)
            refused = closing_frame(logged_in.ask("durante el corte", timeout=WAIT_S))
            assert refused["code"] == "unavailable" and refused["details"]["retry_after_s"] > 0, refused
            during = answered(anonymous.ask("sin cuenta durante el corte", timeout=WAIT_S))
        finally:
            proxy.thaw() if outage == "frozen" else proxy.revive()

        again = assert_back(client, account)
        assert answered(logged_in.ask("después del corte")) != ""
        assert stored_turns(client, again, logged_in.chat_id)[:2] == ["antes del corte", before]
        # the anonymous chat becomes the account's with its first logged-in message, so it can be read back
        with chat(base, f"/ws/chat/{anonymous.chat_id}?token={again.token}") as claimed:
            answered(claimed.ask("ya con cuenta"))
        assert stored_turns(client, again, anonymous.chat_id)[:2] == ["sin cuenta durante el corte", during]


def test_a_refresh_token_reused_during_a_redis_outage_still_revokes_its_family_afterwards(
    client: httpx.Client, redis_behind_proxy: ThreadedProxy,
) -> None:
    victim = new_account(client, f"Robo{secrets.token_hex(2)}")
    stolen = victim.refresh_token
    rotated = client.post("/auth/refresh", json={"refresh_token": stolen})  # the rightful client
    assert rotated.status_code == 200, rotated.text
    current = Account(victim.id, victim.email, victim.password, rotated.json()["access_token"],
                      rotated.json()["refresh_token"])

    redis_behind_proxy.freeze()
    try:
        during = client.post("/auth/refresh", json={"refresh_token": stolen})
        assert during.status_code == 503, during.text
        assert "Retry-After" in during.headers
    finally:
        redis_behind_proxy.thaw()

    reused = client.post("/auth/refresh", json={"refresh_token": stolen})
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_token_reused", reused.text
    assert client.get("/auth/me", headers=current.headers).status_code == 401
    assert client.post("/auth/refresh", json={"refresh_token": current.refresh_token}).status_code == 401

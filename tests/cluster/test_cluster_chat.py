"""The chat across two hosts: one conversation, whichever host a connection lands on."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from tests.cluster.rig import Cluster, Host, wait_for
from tests.e2e.chat_client import chat, closing_frame
from tests.services import mariadb_database

pytestmark = pytest.mark.cluster


def _token(client: httpx.Client) -> str:
    email, password = f"chat-{secrets.token_hex(4)}@example.org", "password-" + secrets.token_hex(4)
    created = client.post("/auth/register", json={"nombre": "Chat", "email": email, "password": password})
    assert created.status_code == 201, created.text
    return str(client.post("/auth/login", json={"email": email, "password": password}).json()["access_token"])


def _answer(frames: list[dict[str, object]]) -> str:
    closing = closing_frame(frames)
    assert closing["type"] == "text", closing
    return str(closing["text"])


def test_two_tabs_of_one_chat_on_two_hosts_each_see_the_other_s_turns(cluster: Cluster) -> None:
    first, second = cluster.hosts
    with cluster.client() as client:
        token = _token(client)
    with chat(first.base, f"/ws?token={token}") as tab:
        assert _answer(tab.ask("uno")) == "Respuesta a: uno"
        with chat(second.base, f"/ws/chat/{tab.chat_id}?token={token}") as other_tab:
            assert other_tab.chat_id == tab.chat_id
            assert _answer(other_tab.ask("!history")) == "user: uno | assistant: Respuesta a: uno"
            assert _answer(tab.ask("!history")).endswith(
                "user: !history | assistant: user: uno | assistant: Respuesta a: uno")


def test_an_empty_answer_from_the_engine_is_an_error_frame_and_is_not_stored(cluster: Cluster) -> None:
    """Item 7: the engine streams nothing; after the retries the client gets ``empty_answer``, and the
    conversation keeps the question without a made-up answer."""
    with cluster.client() as client:
        token = _token(client)
        headers = {"Authorization": f"Bearer {token}"}
        with chat(cluster.base, f"/ws?token={token}") as tab:
            closing = closing_frame(tab.ask("!empty"))
            chat_id = tab.chat_id
        assert closing["type"] == "error" and closing["code"] == "empty_answer", closing
        stored = client.get(f"/chats/{chat_id}/mensajes", headers=headers)
        assert stored.status_code == 200, stored.text
        assert [(turn["is_user"], turn["text"]) for turn in stored.json()] == [(True, "!empty")]


def _ready_status(host: Host) -> int:
    return httpx.get(host.base + "/status/ready", timeout=10).status_code


def _names_down(host: Host, check: str) -> bool:
    response = httpx.get(host.base + "/status/ready", timeout=10)
    body = response.json()
    return response.status_code == 503 and body["status"] == "not_ready" and body["checks"].get(check) == "down"


def _every_host_unready_while(cluster: Cluster, stop: Callable[[], None], restart: Callable[[], None],
                              check: str) -> None:
    """After ``stop()``, every host answers ``/status/ready`` 503 naming ``check`` (and stays live);
    after ``restart()``, every host is ready again."""
    stop()
    try:
        for host in cluster.hosts:
            # each worker notices on its own (an engine's probe is kept AI_PROBE_TTL_S), so wait for this answer
            wait_for(f"{host.name} not ready, naming {check}", lambda h=host: _names_down(h, check), 30)
            assert httpx.get(host.base + "/status/live").status_code == 200
    finally:
        restart()
    for host in cluster.hosts:
        wait_for(f"{host.name} ready again", lambda h=host: _ready_status(h) == 200, 30)


def test_every_host_is_not_ready_while_redis_is_unreachable_and_ready_again_after(cluster: Cluster) -> None:
    """Item 6: authentication needs Redis, so a host without it must leave the balancer's rotation."""
    _every_host_unready_while(cluster, cluster.redis.kill, cluster.redis.revive, "cache")


def test_every_host_is_not_ready_while_the_engine_is_down_and_ready_again_after(cluster: Cluster) -> None:
    """Item 6: a host whose chat engine does not answer says so to the balancer (``chat`` down)."""
    _every_host_unready_while(cluster, cluster.engine.kill, cluster.engine.start, "chat")


def test_upgrades_started_on_both_hosts_at_once_all_succeed(cluster: Cluster) -> None:
    """Item 5: three rounds of ``ova db upgrade`` from both hosts at the same moment on a new database."""
    for _ in range(3):
        with mariadb_database() as url:
            hosts_url = url.replace("@127.0.0.1:", f"@{cluster.network.gateway}:")
            upgrades = [
                subprocess.Popen(
                    host.server.namespace.command([sys.executable, "-m", "ova", "db", "upgrade"]),
                    env={**host.server.env, "DATABASE_URL": hosts_url},
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                )
                for host in cluster.hosts
            ]
            outputs = [upgrade.communicate(timeout=120)[0] for upgrade in upgrades]
            assert [upgrade.returncode for upgrade in upgrades] == [0, 0], outputs


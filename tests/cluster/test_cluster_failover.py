"""A host dies or is stopped: its users carry on on the other host and nothing answered is lost."""

from __future__ import annotations

import signal
import socket

import httpx
import pytest

from tests.cluster.rig import LEASE_TTL_S, PORT, Cluster, Host, wait_for
from tests.cluster.talkers import Talker
from tests.e2e.chat_client import chat, closing_frame

pytestmark = pytest.mark.cluster
TALKERS = 6


def _stored(cluster: Cluster, chat_id: str) -> list[tuple[bool, str]]:
    with cluster.client() as client:
        stored = client.get(f"/chats/{chat_id}/mensajes", params={"limit": 500}, headers=cluster.admin_headers)
    assert stored.status_code == 200, stored.text
    return [(turn["is_user"], turn["text"]) for turn in stored.json()]


def _talking(cluster: Cluster) -> list[Talker]:
    talkers = [Talker(cluster.base, number) for number in range(TALKERS)]
    for talker in talkers:
        talker.start()
    wait_for("every talker answered twice", lambda: all(t.answered_count() >= 2 for t in talkers), 60)
    return talkers


def _stop(talkers: list[Talker]) -> None:
    for talker in talkers:
        talker.stop.set()
    for talker in talkers:
        talker.join(timeout=60)


def _assert_every_answer_stored(cluster: Cluster, talkers: list[Talker]) -> None:
    for talker in talkers:
        turns = _stored(cluster, talker.chat_id)
        answered = [turn for user, answer in talker.answered for turn in ((True, user), (False, answer))]
        assert [turn for turn in turns if turn in answered] == answered  # all there, in order, none twice


def _websocket_counts(host: Host) -> dict[str, int]:
    return dict(httpx.get(host.base + "/status/websocket", timeout=10).json())


def test_after_kill_9_of_a_host_its_chats_continue_on_the_other_and_every_answer_is_kept(cluster: Cluster) -> None:
    victim, survivor = cluster.hosts
    try:
        _killed_while_talking(cluster, victim, survivor)
    finally:
        cluster.restart(victim)


def _killed_while_talking(cluster: Cluster, victim: Host, survivor: Host) -> None:
    talkers = _talking(cluster)
    try:
        before = [t.answered_count() for t in talkers]
        victim.server.kill()
        wait_for("every talker answered 3 more",
                 lambda: all(t.answered_count() >= n + 3 for t, n in zip(talkers, before, strict=True)), 60)
    finally:
        _stop(talkers)
    reconnects = [seconds for talker in talkers for seconds in talker.reconnect_s]
    print(f"kill -9: {len(reconnects)} reconnections, slowest {max(reconnects, default=0):.3f} s")
    assert all(not talker.errors for talker in talkers), [t.errors for t in talkers]
    _assert_every_answer_stored(cluster, talkers)
    # Item 3: the dead host's connections were counted by leases that expire, not by counters it
    # would have had to decrement: with nobody connected, the survivor soon reports none
    wait_for("the dead host's connections to expire",
             lambda: _websocket_counts(survivor)["active_connections"] == 0, LEASE_TTL_S * 4)
    assert _websocket_counts(survivor)["active_generations"] == 0


def _refused(address: str) -> bool:
    try:
        with socket.create_connection((address, PORT), timeout=1):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def test_sigterm_drains_a_host_without_a_failed_request_and_finishes_its_answers(cluster: Cluster) -> None:
    """Item 2: with two workers, SIGTERM stops accepting at once, so the balancer moves new requests to the
    other host instead of timing out on this one; the answers in progress finish, then 1012. Item 8:
    a message sent while the host drains is answered or told ``unavailable``, never left hanging."""
    draining, other = cluster.hosts[1], cluster.hosts[0]
    try:
        _drained_while_answering(cluster, draining)
        assert draining.server.wait(30) == 0
        assert _websocket_counts(other)["active_generations"] == 0
    finally:
        cluster.restart(draining)


def _drained_while_answering(cluster: Cluster, draining: Host) -> None:
    with chat(draining.base) as streaming, chat(draining.base) as late:
        streaming.send({"type": "text", "text": "!slow 0.05 60", "stream": True})  # about 3 s of answer
        assert streaming.receive()["type"] == "typing"
        draining.server.signal(signal.SIGTERM)
        late.send({"type": "text", "text": "llegando tarde", "stream": False})  # as the drain starts
        wait_for("new connections refused", lambda: _refused(draining.address), 5)
        with cluster.client() as client:  # the balancer may reuse its open connections to the draining host,
            statuses = [client.get("/status").status_code for _ in range(10)]  # which still answers them
        assert statuses == [200] * 10
        answer = closing_frame(streaming.reply(timeout=30))
        assert answer["text"].startswith("pieza 1 ") and answer["text"].rstrip().endswith("pieza 60")
        streaming.send({"type": "text", "text": "y otra cosa", "stream": False})  # the moment the answer came
        for frames in (late.reply(timeout=30), streaming.reply(timeout=30)):
            closing = closing_frame(frames)
            assert closing["type"] == "text" or closing["code"] == "unavailable", closing
        assert streaming.close_code() == 1012 and late.close_code() == 1012

"""Shutdown and the chat: an answer that outlasts the grace ends with ``unavailable`` (come back later,
as documented), and what had been written of it is stored, marked as cut off; a message sent while the
server drains, even the moment the last answer arrived, gets ``unavailable`` before the 1012 close."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from ova.entrypoints.websocket.drain import CUT_OFF
from tests.e2e.chat_client import ChatClient, chat, closing_frame
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, running_server, server_env, server_pid


def test_an_answer_cut_off_by_shutdown_is_unavailable_and_stored_as_far_as_it_went(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"WS_SHUTDOWN_GRACE_S": "0.3"})
    with running_server(env) as base, chat(base) as client:
        client.send({"type": "text", "text": "!slow 0.05 400", "stream": True})
        frames = [client.receive(), client.receive(), client.receive()]  # typing, then two chunks
        assert [f["type"] for f in frames] == ["typing", "chunk", "chunk"]
        pid = server_pid(base)
        os.kill(pid, signal.SIGTERM)
        rest = client.reply(timeout=20)
        shown = "".join(f["text"] for f in [*frames, *rest] if f["type"] == "chunk")
        assert closing_frame(rest)["code"] == "unavailable"
        assert client.close_code(timeout=20) == 1012
        chat_id = client.chat_id
    with running_server(env) as base, httpx.Client(base_url=base, timeout=30) as http:
        token = http.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
        turns = http.get(f"/chats/{chat_id}/mensajes", headers={"Authorization": f"Bearer {token['access_token']}"})
    stored = [(turn["is_user"], turn["text"]) for turn in turns.json()]
    assert stored[0] == (True, "!slow 0.05 400")
    assert stored[1][0] is False and stored[1][1].endswith(CUT_OFF)
    assert stored[1][1].startswith(shown) and len(stored) == 2


def _stored_turns(env: dict[str, str], chat_id: str) -> list[tuple[bool, str]]:
    """The conversation as a restarted server has it stored."""
    with running_server(env) as base, httpx.Client(base_url=base, timeout=30) as http:
        token = http.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
        turns = http.get(f"/chats/{chat_id}/mensajes", headers={"Authorization": f"Bearer {token['access_token']}"})
    return [(turn["is_user"], turn["text"]) for turn in turns.json()]


def _answered_while_draining(client: ChatClient, pid: int, question: str) -> list[dict[str, object]]:
    client.send({"type": "text", "text": question, "stream": True})
    assert client.receive()["type"] == "typing"
    os.kill(pid, signal.SIGTERM)
    return client.reply(timeout=30)


def test_a_message_sent_the_moment_the_last_answer_arrives_gets_unavailable_before_the_close(tmp_path: Path) -> None:
    """The client writes again as soon as it has its answer: before, the server closed right after that
    answer, the new message crossed the close and got nothing at all; now the socket stays open until
    the client has been quiet for ``WS_DRAIN_QUIET_S``, and the message is refused, not stored."""
    env = server_env(tmp_path, {"WS_SHUTDOWN_GRACE_S": "20", "WS_DRAIN_QUIET_S": "3"})
    with running_server(env) as base, chat(base) as client:
        answered = _answered_while_draining(client, server_pid(base), "!slow 0.05 30")  # about 1.5 s
        assert closing_frame(answered)["type"] == "text"

        client.send({"type": "text", "text": "¿sigues ahí?"})
        late = client.reply(timeout=10)

        assert closing_frame(late)["code"] == "unavailable"
        assert late[-1] == {"type": "typing", "is_typing": False}
        assert client.close_code(timeout=20) == 1012
        answer, chat_id = closing_frame(answered)["text"], client.chat_id
    assert _stored_turns(env, chat_id) == [(True, "!slow 0.05 30"), (False, answer)]


def test_messages_queued_behind_the_answer_get_unavailable_and_are_not_stored(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"WS_SHUTDOWN_GRACE_S": "20"})
    with running_server(env) as base, chat(base) as client:
        pid = server_pid(base)
        client.send({"type": "text", "text": "!slow 0.05 30"})  # about 1.5 s
        assert client.receive()["type"] == "typing"
        client.send({"type": "text", "text": "primero en cola"})
        client.send({"type": "text", "text": "segundo en cola"})
        os.kill(pid, signal.SIGTERM)

        frames, code = client.frames_until_closed(timeout=20)

        closings = [frame for frame in frames if frame["type"] in ("text", "error")]
        # a queued message the server had not read yet when the drain began is refused at once, before the
        # answer ends; one it had read waits for the answer: either way each gets its own closing frame
        answers = [frame for frame in closings if frame["type"] == "text"]
        refusals = [frame for frame in closings if frame["type"] == "error"]
        assert len(answers) == 1 and [frame["code"] for frame in refusals] == ["unavailable", "unavailable"], frames
        assert code == 1012
        answer, chat_id = answers[0]["text"], client.chat_id
    assert _stored_turns(env, chat_id) == [(True, "!slow 0.05 30"), (False, answer)]

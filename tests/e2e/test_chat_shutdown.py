"""A shutdown that outlasts its grace: the answer cut off ends with ``unavailable`` (come back later, as
documented), and what had been written of it is stored, marked as cut off."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from ova.entrypoints.websocket.worker import CUT_OFF
from tests.e2e.chat_client import chat, closing_frame
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

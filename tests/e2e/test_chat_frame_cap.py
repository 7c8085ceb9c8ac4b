"""No frame the chat sends is larger than ``WS_MAX_FRAME_KB`` (issue 12, item 9): an answer is sent
whole in one ``text`` frame, so an answer the model makes too long is cut where that frame is full,
and the stored answer is exactly the one sent. The client here refuses any larger frame (its
``max_size`` is the cap), so a frame over it would end the connection with 1009."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.e2e.chat_client import ChatClient, chat
from tests.e2e.server import admin_headers, running_server, server_env

CAP = 16 * 1024
CUT_SHORT = " […]"


def raw_reply(client: ChatClient) -> list[str]:
    """Every frame, as sent, up to the ``typing`` false after the closing frame."""
    raws: list[str] = []
    closed = False
    while True:
        raw = client.connection.recv(timeout=60)
        assert isinstance(raw, str)
        raws.append(raw)
        frame = json.loads(raw)
        closed = closed or frame["type"] in ("text", "error")
        if closed and frame == {"type": "typing", "is_typing": False}:
            return raws


def test_a_huge_answer_arrives_in_frames_under_the_cap_and_is_stored_as_sent(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"WS_MAX_FRAME_KB": str(CAP // 1024)})
    answers: list[str] = []
    with running_server(env) as base, chat(base, max_size=CAP) as client:
        for stream in (False, True):
            client.send({"type": "text", "text": "!big 1024 4", "stream": stream})  # 4 MiB asked for

            raws = raw_reply(client)

            assert max(len(raw.encode()) for raw in raws) <= CAP
            frames = [json.loads(raw) for raw in raws]
            texts = [frame for frame in frames if frame["type"] == "text"]
            assert len(texts) == 1 and len(texts[0]["text"].encode()) > CAP // 2
            answer = texts[0]["text"]
            assert answer.endswith(CUT_SHORT) and set(answer.removesuffix(CUT_SHORT)) == {"x"}
            chunks = "".join(frame["text"] for frame in frames if frame["type"] == "chunk")
            assert chunks == (answer if stream else "")
            answers.append(answer)
        chat_id = client.chat_id

        stored = httpx.get(f"{base}/chats/{chat_id}/mensajes", headers=admin_headers(base), timeout=30).json()

    assert [turn["text"] for turn in stored if not turn["is_user"]] == answers

"""The embedded default chat model (Qwen2.5-Coder-1.5B-Instruct, joined from its packages into the
model cache and run by llama.cpp) through a real server: a real completion, right and in Spanish."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.chat_client import chat, closing_frame
from tests.e2e.server import running_server, server_env


@pytest.fixture(scope="module")
def local_chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = server_env(tmp_path_factory.mktemp("local-chat"), {"CHAT_PROVIDER": "local", "CHAT_MAX_TOKENS": "96"})
    with running_server(env, timeout_s=180) as url:
        yield url


def test_the_default_local_model_answers_a_spanish_question_right(local_chat_server: str) -> None:
    with chat(local_chat_server, "/api/chat") as client:
        frames = client.ask("¿Cuál es la capital de Francia?", stream=True, timeout=180)
    answer = closing_frame(frames)
    assert answer["type"] == "text", frames
    assert "parís" in answer["text"].lower(), answer["text"]
    chunks = [f["text"] for f in frames if f["type"] == "chunk"]
    assert len(chunks) > 1 and "".join(chunks).strip() == answer["text"]


def test_cancelling_the_local_model_frees_it_for_the_next_message(local_chat_server: str) -> None:
    with chat(local_chat_server) as client:
        client.send({"type": "text", "text": "Write a long story about a dragon and a knight.", "stream": True})
        assert client.receive(timeout=120)["type"] == "typing"
        assert client.receive(timeout=120)["type"] == "chunk"
        client.send({"type": "cancel"})
        frames = client.reply(timeout=30)
        assert closing_frame(frames)["code"] == "cancelled"
        assert closing_frame(client.ask("Say hello.", timeout=120))["type"] == "text"

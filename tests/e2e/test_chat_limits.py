"""Bad frames, limits and closing rules of the chat (contract section 8), against a real uvicorn."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.chat_client import ChatClient, chat, closing_frame, reader_that_never_reads
from tests.e2e.conftest import Account
from tests.e2e.server import running_server, server_env, server_pid

TYPING_OFF = {"type": "typing", "is_typing": False}


def _refused(client_frames: list[dict[str, object]], code: str) -> dict[str, object]:
    error = closing_frame(client_frames)
    assert error["type"] == "error" and error["code"] == code, client_frames
    assert isinstance(error["error"], str) and error["error"]
    assert client_frames[-1] == TYPING_OFF
    return error


@pytest.mark.parametrize(("frame", "code"), [
    ({"type": "shout", "text": "hola"}, "unknown_type"),
    ({"type": "text", "text": 5}, "invalid_frame"),
    ({"type": "text"}, "invalid_frame"),
    ({"type": "text", "text": "   "}, "empty_message"),
    ({"type": "text", "text": "hola\x00"}, "invalid_frame"),
    ({"type": "text", "text": "hola", "stream": "sí"}, "invalid_frame"),
    ({"type": 7}, "invalid_frame"),
    ({"type": "audio", "audio": "%%% no es base64 %%%"}, "invalid_audio"),
    ({"type": "image", "image": "%%% no es base64 %%%"}, "invalid_image"),
    ({"type": "image", "image": "bm8gZXMgdW5hIGZvdG8="}, "unreadable_media"),
    ({"type": "image", "image": "QUJD", "speak": "sí"}, "invalid_frame"),
])
def test_a_bad_frame_gets_an_error_frame_and_the_connection_goes_on(
    base_url: str, frame: dict[str, object], code: str
) -> None:
    with chat(base_url) as client:
        client.send(frame)
        _refused(client.reply(), code)
        assert closing_frame(client.ask("sigo"))["text"] == "Respuesta a: sigo"


def test_a_one_megabyte_frame_is_too_large(base_url: str) -> None:
    with chat(base_url) as client:
        client.send({"type": "text", "text": "a" * 1024 * 1024})
        error = _refused(client.reply(), "too_large")
        assert error["details"] == {"max_bytes": 64 * 1024}
        client.send("b" * (65 * 1024))
        _refused(client.reply(), "too_large")
        assert closing_frame(client.ask("pequeño"))["type"] == "text"


def test_a_frame_beyond_the_largest_voice_note_closes_with_1009(base_url: str, client: httpx.Client) -> None:
    with chat(base_url) as socket:
        try:
            socket.send("x" * (8 * 1024 * 1024))
            code = socket.close_code()
        except ConnectionClosed as closed:
            # uncompressed, the server closes before the last byte is sent; the bytes it leaves
            # unread make its kernel reset the connection, which can discard the 1009 frame
            code = closed.rcvd.code if closed.rcvd else None
        assert code in (1009, None)
    assert client.get("/status").status_code == 200


def test_a_binary_frame_is_refused(base_url: str) -> None:
    with chat(base_url) as client:
        client.send(b"\x00\x01binario")
        _refused(client.reply(), "unsupported_frame")


def test_a_failing_model_gives_a_model_unavailable_error(base_url: str) -> None:
    with chat(base_url) as client:
        _refused(client.ask("!fail"), "model_unavailable")
        assert closing_frame(client.ask("de nuevo"))["type"] == "text"


def test_an_engine_that_answers_nothing_gives_an_empty_answer_error_and_stores_no_answer(
    base_url: str, client: httpx.Client, user: Account
) -> None:
    """Asked three times, blank each time: an ``empty_answer`` error frame, not a canned reply stored
    and counted as an answer; the user's message stays in the chat, and the next message is answered."""
    with chat(base_url, f"/ws?token={user.token}") as socket:
        _refused(socket.ask("!empty"), "empty_answer")
        assert closing_frame(socket.ask("de nuevo"))["type"] == "text"
        chat_id = socket.chat_id
    turns = client.get(f"/chats/{chat_id}/mensajes", headers=user.headers).json()
    assert [(turn["is_user"], turn["text"]) for turn in turns] == [
        (True, "!empty"), (True, "de nuevo"), (False, "Respuesta a: de nuevo")]


def test_a_revoked_token_gets_an_error_frame(base_url: str, client: httpx.Client, user: Account) -> None:
    with chat(base_url, f"/ws?token={user.token}") as socket:
        assert closing_frame(socket.ask("antes"))["type"] == "text"
        assert client.post("/auth/logout", headers=user.headers).status_code in (200, 204)
        _refused(socket.ask("después"), "invalid_token")
    with chat(base_url, f"/ws?token={user.token}") as socket:
        error = socket.receive()
        assert error["type"] == "error" and error["code"] == "invalid_token"


@pytest.mark.parametrize("token", ["no-es-un-jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."])
def test_a_bad_token_in_an_auth_frame_gets_an_error_frame(base_url: str, token: str) -> None:
    with chat(base_url) as client:
        client.send({"type": "auth", "token": token})
        error = client.receive()
        assert error["type"] == "error" and error["code"] == "invalid_token"
        assert closing_frame(client.ask("anónimo"))["type"] == "text"


def test_an_invalid_chat_id_in_the_path_is_refused(base_url: str) -> None:
    with chat(base_url, "/ws/chat/" + "x" * 65) as client:
        assert client.connected["code"] == "invalid_chat_id"
        assert client.close_code() == 1008


def test_messages_beyond_the_queue_get_busy(base_url: str) -> None:
    with chat(base_url) as client:
        for _ in range(5):
            client.send({"type": "text", "text": "!slow 0.2 3"})
        frames: list[dict[str, object]] = []
        while sum(1 for f in frames if f == TYPING_OFF) < 5:
            frames.append(client.receive())
    closing = [f for f in frames if f["type"] in ("text", "error")]
    assert [f["type"] for f in closing].count("text") == 3
    assert [f.get("code") for f in closing if f["type"] == "error"] == ["busy", "busy"]


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = server_env(tmp_path_factory.mktemp("chat-limits"),
                     {"WS_MESSAGES_PER_MINUTE": "5", "WS_IDLE_TIMEOUT_S": "2"})
    with running_server(env) as url:
        yield url


def test_a_flood_past_the_rate_limit_gets_rate_limited_errors(strict_server: str) -> None:
    with chat(strict_server) as client:
        for i in range(5):
            assert closing_frame(client.ask(f"mensaje {i}"))["type"] == "text"
        error = _refused(client.ask("uno más"), "rate_limited")
        details = error["details"]
        assert isinstance(details, dict) and details["retry_after_s"] >= 1
    assert httpx.get(strict_server + "/status").status_code == 200


def test_a_client_that_keeps_flooding_is_disconnected(strict_server: str) -> None:
    with chat(strict_server) as client:
        for _ in range(40):
            client.send({"type": "text", "text": "spam"})
        assert client.close_code() == 1008
    assert httpx.get(strict_server + "/status").status_code == 200


def test_a_burst_is_refused_busy_frame_by_frame_until_the_flood_close(strict_server: str) -> None:
    """A burst fills the queue at once, so the burst's refusals are ``busy`` (messages refused do not
    count against the per-minute limit); past 5 × WS_MESSAGES_PER_MINUTE refusals the connection is
    closed with 1008, and what the client sent after that, or had queued, gets no frame."""
    frames: list[dict[str, object]] = []
    with chat(strict_server) as client:
        for index in range(60):
            client.send({"type": "text", "text": f"!slow 0.5 2 ráfaga {index}"})
        assert _read_until_closed(client, frames) == 1008
    refusals = [f for f in frames if f["type"] == "error"]
    assert len(refusals) == 5 * 5 + 1
    assert {f["code"] for f in refusals} == {"busy"}
    assert frames.count(TYPING_OFF) == len(refusals)  # each refusal closes its message


def _read_until_closed(client: ChatClient, frames: list[dict[str, object]]) -> int | None:
    """Appends every frame to ``frames`` until the server closes; returns its close code."""
    try:
        while True:
            frames.append(client.receive(timeout=20))
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def test_a_silent_connection_is_closed_after_the_idle_timeout(strict_server: str) -> None:
    with chat(strict_server) as client:
        started = time.monotonic()
        assert client.close_code(timeout=10) == 1000
        assert time.monotonic() - started >= 1.5


def test_a_client_that_stops_reading_is_dropped_instead_of_buffered(tmp_path: Path) -> None:
    def counts() -> dict[str, int]:
        return dict(httpx.get(url + "/status/websocket").json())

    # an answer as long as the largest frame allows (16 MiB), far more than the socket buffers hold
    env = server_env(tmp_path, {"WS_SEND_TIMEOUT_S": "1", "WS_MAX_FRAME_KB": "16384"})
    with running_server(env) as url, reader_that_never_reads(
        url, {"type": "text", "text": "!big 64 2000", "stream": True}  # 128 MiB of chunks asked for
    ):
        deadline = time.monotonic() + 20
        while (counts()["total_connections"] == 0 or counts()["active_connections"]) and time.monotonic() < deadline:
            time.sleep(0.5)  # the client reads nothing meanwhile
        final = counts()
        assert final["total_connections"] == 1 and final["messages_processed"] == 0
        assert final["active_connections"] == 0, "the server kept a connection whose client does not read"
        assert httpx.get(url + "/status").status_code == 200


def test_shutdown_lets_an_answer_finish_then_closes_with_1012(tmp_path: Path) -> None:
    with running_server(server_env(tmp_path, {"WS_SHUTDOWN_GRACE_S": "10"})) as url, chat(url) as client:
        client.send({"type": "text", "text": "!slow 0.3 5"})
        assert client.receive()["type"] == "typing"
        _stop(url)
        frames = client.reply(timeout=20)
        assert closing_frame(frames)["text"].startswith("pieza 1")
        assert client.close_code(timeout=20) == 1012


def test_shutdown_cuts_off_a_long_answer_after_the_grace_period_as_unavailable(tmp_path: Path) -> None:
    with running_server(server_env(tmp_path, {"WS_SHUTDOWN_GRACE_S": "0.5"})) as url, chat(url) as client:
        client.send({"type": "text", "text": "!slow 1 100"})
        assert client.receive()["type"] == "typing"
        _stop(url)
        _refused(client.reply(timeout=20), "unavailable")
        assert client.close_code(timeout=20) == 1012


def _stop(base_url: str) -> None:
    """SIGTERM to the server process listening at ``base_url`` (as a deploy would)."""
    pid = server_pid(base_url)
    os.kill(pid, signal.SIGTERM)


def test_permessage_deflate_is_declined_unless_ws_compression_is_on(tmp_path: Path) -> None:
    for setting, expected in (("false", []), ("true", ["permessage-deflate"])):
        with running_server(server_env(tmp_path / setting, {"WS_COMPRESSION": setting})) as url, \
                chat(url, compression="deflate") as client:
            assert [extension.name for extension in client.connection.protocol.extensions] == expected
            client.send({"type": "text", "text": "hola"})
            assert closing_frame(client.reply())["text"] == "Respuesta a: hola"

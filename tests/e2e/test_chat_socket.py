"""The chat over a real uvicorn and a real WebSocket client, with the fake (scripted) chat model.

The fake answers ``Respuesta a: <message>``; ``!slow <s> <n>`` streams ``n`` pieces ``s`` seconds
apart, ``!history`` answers with the turns the model was given, ``!fail`` fails before answering.
"""

from __future__ import annotations

import base64
import io
import re
import threading
import time
import wave

import httpx
import pytest

from tests.e2e.chat_client import chat, closing_frame
from tests.e2e.conftest import Account

TYPING_ON = {"type": "typing", "is_typing": True}
TYPING_OFF = {"type": "typing", "is_typing": False}


@pytest.mark.parametrize("path", ["/api/chat", "/ws/chat", "/ws"])
def test_the_published_clients_flow_gets_typing_an_answer_and_typing_off(base_url: str, path: str) -> None:
    with chat(base_url, path) as client:
        assert client.connected["type"] == "connected"
        assert re.fullmatch(r"chat_[0-9a-f]{8}", client.connected["client_id"])
        assert client.connected["status"] == "connected" and client.chat_id

        frames = client.ask("Hola, ¿qué tal?")

    assert frames[0] == TYPING_ON and frames[-1] == TYPING_OFF
    answer = closing_frame(frames)
    assert answer["type"] == "text" and answer["is_user"] is False
    assert answer["text"] == "Respuesta a: Hola, ¿qué tal?"
    assert answer["id"] and answer["timestamp"].endswith("Z")


def test_a_ping_gets_no_frame_at_all(base_url: str) -> None:
    with chat(base_url, "/api/chat") as client:
        client.send({"type": "ping", "timestamp": 1732560000000})
        assert client.nothing_within(0.5)
        assert client.ask("sigo aquí")[0] == TYPING_ON


@pytest.mark.parametrize("frame", [{"message": "forma documentada"}, "un texto plano sin JSON"])
def test_the_documented_form_and_plain_text_are_answered_on_ws(base_url: str, frame: object) -> None:
    with chat(base_url, "/ws") as client:
        client.send(frame)  # type: ignore[arg-type]
        answer = closing_frame(client.reply())
    expected = frame["message"] if isinstance(frame, dict) else frame
    assert answer["text"] == f"Respuesta a: {expected}"


def test_streamed_chunks_arrive_in_order_and_join_to_the_answer(base_url: str) -> None:
    with chat(base_url) as client:
        frames = client.ask("!slow 0.01 6", stream=True)
    chunks = [f for f in frames if f["type"] == "chunk"]
    answer = closing_frame(frames)
    assert [c["text"].strip() for c in chunks] == [f"pieza {i}" for i in range(1, 7)]
    assert {c["id"] for c in chunks} == {answer["id"]}
    assert "".join(c["text"] for c in chunks).strip() == answer["text"]


def test_without_stream_no_chunks_are_sent(base_url: str) -> None:
    with chat(base_url) as client:
        frames = client.ask("!slow 0.01 4")
    assert [f["type"] for f in frames] == ["typing", "text", "typing"]


def test_cancel_ends_the_answer_with_a_cancelled_error_and_the_next_message_works(
    base_url: str, client: httpx.Client
) -> None:
    with chat(base_url) as socket:
        socket.send({"type": "text", "text": "!slow 0.3 40", "stream": True})
        assert socket.receive() == TYPING_ON
        assert socket.receive()["type"] == "chunk"
        cancelled_at = time.monotonic()
        socket.send({"type": "cancel"})
        frames = socket.reply(timeout=5)
        waited = time.monotonic() - cancelled_at

        error = closing_frame(frames)
        assert error["type"] == "error" and error["code"] == "cancelled"
        assert waited < 3, f"cancel took {waited:.2f} s"
        assert closing_frame(socket.ask("otra pregunta"))["text"] == "Respuesta a: otra pregunta"
    assert client.get("/status/websocket").json()["active_generations"] == 0


def test_a_slow_answer_on_one_socket_does_not_hold_up_another_or_http(base_url: str, client: httpx.Client) -> None:
    finished: list[str] = []
    with chat(base_url) as slow, chat(base_url) as quick:
        slow.send({"type": "text", "text": "!slow 0.5 6"})
        assert slow.receive() == TYPING_ON

        def wait_slow() -> None:
            slow.reply(timeout=30)
            finished.append("slow")

        waiter = threading.Thread(target=wait_slow)
        waiter.start()
        assert closing_frame(quick.ask("rápido"))["text"] == "Respuesta a: rápido"
        assert client.get("/status").status_code == 200
        finished.append("quick+http")
        waiter.join(30)
    assert finished == ["quick+http", "slow"]


def test_a_reconnecting_client_continues_its_conversation(base_url: str) -> None:
    with chat(base_url) as first:
        chat_id = first.chat_id
        first.ask("Me llamo Ana")
    with chat(base_url, f"/ws/chat/{chat_id}") as again:
        assert again.chat_id == chat_id
        history = closing_frame(again.ask("!history"))["text"]
    assert "user: Me llamo Ana" in history
    assert "assistant: Respuesta a: Me llamo Ana" in history


def test_a_new_chat_starts_without_history(base_url: str) -> None:
    with chat(base_url) as client:
        assert closing_frame(client.ask("!history"))["text"] == "(sin historial)"


def test_a_logged_in_users_chat_is_theirs_to_list_read_and_delete(
    base_url: str, client: httpx.Client, user: Account, other_user: Account, admin: Account
) -> None:
    with chat(base_url, f"/ws?token={user.token}") as socket:
        chat_id = socket.chat_id
        socket.ask("Una pregunta privada")

    mine = client.get("/chats", headers=user.headers)
    assert mine.status_code == 200 and [c["id"] for c in mine.json()] == [chat_id]
    assert mine.json()[0]["titulo"] == "Una pregunta privada" and mine.json()[0]["mensajes"] == 2
    turns = client.get(f"/chats/{chat_id}/mensajes", headers=user.headers).json()
    assert [(t["is_user"], t["text"]) for t in turns] == [
        (True, "Una pregunta privada"), (False, "Respuesta a: Una pregunta privada"),
    ]
    assert chat_id not in [c["id"] for c in client.get("/chats", headers=other_user.headers).json()]
    assert client.get(f"/chats/{chat_id}/mensajes", headers=other_user.headers).status_code == 404
    assert client.delete(f"/chats/{chat_id}", headers=other_user.headers).status_code == 404
    assert client.get(f"/chats/{chat_id}/mensajes", headers=admin.headers).status_code == 200
    assert client.get(f"/chats/{chat_id}/mensajes").status_code == 401

    assert client.delete(f"/chats/{chat_id}", headers=user.headers).status_code == 204
    assert client.get(f"/chats/{chat_id}/mensajes", headers=user.headers).status_code == 404


def test_another_user_cannot_continue_someone_elses_chat(base_url: str, user: Account, other_user: Account) -> None:
    with chat(base_url) as socket:
        socket.send({"type": "auth", "token": user.token})
        chat_id = socket.chat_id
        socket.ask("mío")
    with chat(base_url, f"/ws/chat/{chat_id}?token={other_user.token}") as intruder:
        error = closing_frame(intruder.ask("!history"))
    assert error["type"] == "error" and error["code"] == "forbidden"
    assert "mío" not in error["error"]


def test_an_anonymous_chat_becomes_the_users_when_they_write_in_it(
    base_url: str, client: httpx.Client, user: Account
) -> None:
    with chat(base_url) as socket:
        socket.ask("antes de entrar")
        socket.send({"type": "auth", "token": user.token})
        socket.ask("ya he entrado")
        chat_id = socket.chat_id
    turns = client.get(f"/chats/{chat_id}/mensajes", headers=user.headers).json()
    assert [t["text"] for t in turns if t["is_user"]] == ["antes de entrar", "ya he entrado"]


def test_the_published_client_sees_one_bubble_per_message_and_the_voice_notes_words_as_its_own(
    base_url: str,
) -> None:
    """What the published React client renders: it makes a bubble of every ``text`` and ``audio``
    frame (styled by ``is_user``) and shows any frame it does not know as the assistant's."""
    with chat(base_url, "/api/chat") as client:
        assert "features" not in client.connected
        typed = client.ask("Hola")
        client.send({"type": "audio", "audio": base64.b64encode(_wav(0.5)).decode(), "format": "wav"})
        spoken = client.reply()

    assert [(f["type"], f.get("is_user")) for f in typed] == [("typing", None), ("text", False), ("typing", None)]
    assert [(f["type"], f.get("is_user")) for f in spoken] == [
        ("typing", None), ("text", True), ("audio", False), ("typing", None)]
    words, answer = spoken[1], spoken[2]
    assert words.keys() == {"type", "id", "text", "is_user", "timestamp"} and words["text"] == "hola"
    assert answer.keys() == words.keys() | {"audio"}
    assert answer["text"] == "Respuesta a: hola" and answer["id"] not in (words["id"], typed[1]["id"])
    assert base64.b64decode(answer["audio"].removeprefix("data:audio/wav;base64,"))[:4] == b"RIFF"
    assert closing_frame(typed) is typed[1] and closing_frame(spoken) is answer


def test_the_published_clients_voice_note_is_stored_as_the_bubbles_it_was_shown(
    base_url: str, client: httpx.Client, user: Account,
) -> None:
    with chat(base_url, f"/api/chat?token={user.token}") as socket:
        socket.send({"type": "audio", "audio": base64.b64encode(_wav(0.5)).decode(), "format": "wav"})
        words, answer = socket.reply()[1:3]
        chat_id = socket.chat_id
    turns = client.get(f"/chats/{chat_id}/mensajes", headers=user.headers).json()
    assert [(t["is_user"], t["text"], t["timestamp"]) for t in turns] == [
        (True, words["text"], words["timestamp"]), (False, answer["text"], answer["timestamp"])]


def test_a_client_that_asks_for_the_richer_frames_gets_transcription_text_and_audio(base_url: str) -> None:
    with chat(base_url, "/ws?features=transcription,text_then_audio") as client:
        assert client.connected["features"] == ["transcription", "text_then_audio"]
        client.send({"type": "audio", "audio": base64.b64encode(_wav(0.5)).decode(), "format": "wav"})
        frames = client.reply()
        typed = client.ask("Hola")
    assert [f["type"] for f in frames] == ["typing", "transcription", "text", "audio", "typing"]
    transcription, answer, audio = frames[1], frames[2], frames[3]
    assert transcription == {"type": "transcription", "text": "hola"}
    assert answer["text"] == "Respuesta a: hola" and answer["is_user"] is False
    assert audio.keys() == {"type", "id", "text", "audio"}
    assert (audio["id"], audio["text"]) == (answer["id"], answer["text"])
    assert base64.b64decode(audio["audio"].removeprefix("data:audio/wav;base64,"))[:4] == b"RIFF"
    assert [f["type"] for f in typed] == ["typing", "text", "typing"]


@pytest.mark.parametrize("query", ["features=audio_chunks", "features=transcription&features=nope"])
def test_an_unknown_feature_is_refused_with_an_error_frame_and_close_1008(base_url: str, query: str) -> None:
    with chat(base_url, f"/ws?{query}") as client:
        refusal = client.connected
        assert client.close_code() == 1008
    assert refusal["type"] == "error" and refusal["code"] == "unknown_feature"
    assert refusal["details"]["accepted"] == ["transcription", "text_then_audio"]
    assert refusal["details"]["unknown"] == [query.rpartition("=")[2]]


def test_the_websocket_status_counts_connections_and_messages(base_url: str, client: httpx.Client) -> None:
    before = client.get("/status/websocket").json()
    with chat(base_url) as socket:
        socket.ask("cuenta esto")
        during = client.get("/status/websocket").json()
    assert during["active_connections"] >= 1
    assert during["total_connections"] >= before["total_connections"] + 1
    assert during["messages_processed"] >= before["messages_processed"] + 1
    metrics = client.get("/metrics").text
    for series in ("ova_ws_connections_total", "ova_ws_messages_total", "ova_chat_time_to_first_token_seconds",
                   "ova_chat_tokens_per_second", "ova_chat_generations_active"):
        assert series in metrics


def _wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * int(16000 * seconds))
    return buffer.getvalue()

"""What the chat acknowledged survives ``kill -9``: every user message is stored before the model is asked
and every answer before its ``text`` frame is sent, so after a SIGKILL during answers and a restart, each
exchange a client saw answered is read back exactly once, in order, on SQLite and on MariaDB."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.chat_client import chat
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, _wait_until_up, free_port, running_server, server_env

CLIENTS = 6
ANSWERED_BEFORE_KILL = 4  # per client: the kill comes while later answers are in flight


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    extra = {} if request.param == "sqlite" else {"DATABASE_URL": request.getfixturevalue("mariadb_url")}
    return server_env(tmp_path, extra)


def started(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """``ova serve`` on a migrated database, not stopped for us: the test kills it."""
    ova = [sys.executable, "-m", "ova"]
    subprocess.run([*ova, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    log = Path(env["SQLITE_PATH"]).with_suffix(f".{port}.log")
    process = subprocess.Popen([*ova, "serve", "--port", str(port)], env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base, process, 60, log)
    return process, base


class Talker(threading.Thread):
    """One chat that sends a message as soon as the last one is answered, until the server is gone;
    it keeps each exchange it saw answered (the user's text and the answer's)."""

    def __init__(self, base: str, number: int) -> None:
        super().__init__(daemon=True)
        self.base, self.number = base, number
        self.chat_id = ""
        self.answered: list[tuple[str, str]] = []
        self.ready = threading.Event()

    def run(self) -> None:
        try:
            with chat(self.base) as client:
                self.chat_id = client.chat_id
                for index in range(10_000):
                    text = f"!slow 0.005 4 client {self.number} message {index}"
                    closing = [f for f in client.ask(text, timeout=30) if f["type"] == "text"]
                    self.answered.append((text, closing[0]["text"]))
                    if len(self.answered) >= ANSWERED_BEFORE_KILL:
                        self.ready.set()
        except (ConnectionClosed, OSError, TimeoutError):
            pass
        finally:
            self.ready.set()


@pytest.fixture
def killed_during_answers(env: dict[str, str]) -> Iterator[list[Talker]]:
    process, base = started(env)
    talkers = [Talker(base, number) for number in range(CLIENTS)]
    try:
        for talker in talkers:
            talker.start()
        for talker in talkers:
            talker.ready.wait(timeout=60)
        time.sleep(0.05)  # let some answers be half-way
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        for talker in talkers:
            talker.join(timeout=30)
        yield talkers
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_every_acknowledged_turn_is_read_back_once_after_a_kill_9(
    env: dict[str, str], killed_during_answers: list[Talker],
) -> None:
    assert all(len(t.answered) >= ANSWERED_BEFORE_KILL for t in killed_during_answers)
    with running_server(env) as base, httpx.Client(base_url=base, timeout=30) as client:
        login = client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for talker in killed_during_answers:
            stored = client.get(f"/chats/{talker.chat_id}/mensajes", params={"limit": 500}, headers=headers)
            assert stored.status_code == 200, stored.text
            turns = [(turn["is_user"], turn["text"]) for turn in stored.json()]
            acknowledged = [turn for user, answer in talker.answered for turn in ((True, user), (False, answer))]
            assert turns[: len(acknowledged)] == acknowledged  # all there, in order, none twice
            # at most the message in flight follows: its question (stored before the model was asked),
            # and its answer only if it was committed just before the kill
            assert len(turns) - len(acknowledged) <= 2
            assert all(user for user, _ in turns[len(acknowledged):][:1])

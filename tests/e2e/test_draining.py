"""SIGTERM with several workers: new connections are refused at once, as with one, while the answers
in progress finish."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.e2e.chat_client import chat
from tests.e2e.server import running_server, server_env, server_pid


def _parent(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1])


def _refused_within(port: int, seconds: float) -> float | None:
    """Seconds until a new connection is refused (``None``: it was still accepted at the end). A
    connection the kernel accepts but nobody serves is what a load balancer times out on."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except ConnectionRefusedError:
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def test_sigterm_to_two_workers_refuses_new_connections_at_once_while_answers_finish(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"WS_SHUTDOWN_GRACE_S": "8"})
    with running_server(env, workers=2) as base, chat(base) as client:
        client.send({"type": "text", "text": "!slow 0.05 100", "stream": True})  # about 5 s of answer
        assert client.receive()["type"] == "typing"
        supervisor = _parent(server_pid(base))
        os.kill(supervisor, signal.SIGTERM)

        refused_after = _refused_within(urlsplit(base).port or 0, 3.0)

        assert refused_after is not None, "new connections were still accepted 3 s after SIGTERM"
        frames = client.reply(timeout=30)
        assert frames[-2]["type"] == "text" and frames[-2]["text"].startswith("pieza 1 ")  # the answer finished

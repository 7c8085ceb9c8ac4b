"""Chat users who keep talking through the balancer and come back when their connection drops, as the
published client does: each one reconnects to its own chat (``/ws/chat/{chat_id}``) on whichever host
the balancer picks, and keeps every exchange it saw answered."""

from __future__ import annotations

import threading
import time

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.e2e.chat_client import chat, closing_frame


class Talker(threading.Thread):
    def __init__(self, base: str, number: int, *, message: str = "!slow 0.01 4") -> None:
        super().__init__(daemon=True, name=f"talker-{number}")
        self.base, self.number, self.message = base, number, message
        self.chat_id = ""
        self.answered: list[tuple[str, str]] = []
        self.unanswered: list[str] = []  # sent, then the connection dropped before its closing frame
        self.errors: list[dict[str, object]] = []
        self.reconnect_s: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        dropped_at: float | None = None
        sent = 0
        pending = ""
        while not self.stop.is_set():
            path = f"/ws/chat/{self.chat_id}" if self.chat_id else "/ws"
            try:
                with chat(self.base, path) as client:
                    if dropped_at is not None:
                        self.reconnect_s.append(time.monotonic() - dropped_at)
                        dropped_at = None
                    self.chat_id = client.chat_id
                    while not self.stop.is_set():
                        text = f"{self.message} talker {self.number} message {sent}"
                        sent += 1
                        pending = text
                        closing = closing_frame(client.ask(text, timeout=30))
                        pending = ""
                        if closing["type"] == "text":
                            self.answered.append((text, str(closing["text"])))
                        else:
                            self.errors.append(closing)
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
                if pending:
                    self.unanswered.append(pending)
                    pending = ""
                if dropped_at is None:
                    dropped_at = time.monotonic()
                time.sleep(0.02)

    def answered_count(self) -> int:
        return len(self.answered)

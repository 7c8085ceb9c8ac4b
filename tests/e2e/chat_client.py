"""A real WebSocket client for the chat's end-to-end tests (the ``websockets`` library, sync API)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State
from websockets.sync.client import ClientConnection, connect
from websockets.uri import parse_uri

Frame = dict[str, Any]


class ChatClient:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.connected: Frame = self.receive()

    @property
    def chat_id(self) -> str:
        return str(self.connected["chat_id"])

    def send(self, frame: Frame | str | bytes) -> None:
        self.connection.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    def receive(self, timeout: float = 30) -> Frame:
        raw = self.connection.recv(timeout=timeout)
        frame = json.loads(raw)
        assert isinstance(frame, dict), raw
        return frame

    def nothing_within(self, seconds: float) -> bool:
        try:
            self.connection.recv(timeout=seconds)
        except TimeoutError:
            return True
        return False

    def reply(self, timeout: float = 30) -> list[Frame]:
        """Every frame up to and including the ``typing`` false that ends one message."""
        frames: list[Frame] = []
        while True:
            frame = self.receive(timeout)
            frames.append(frame)
            if frame == {"type": "typing", "is_typing": False} and any(map(is_closing, frames)):
                return frames

    def ask(self, text: str, *, stream: bool = False, timeout: float = 30) -> list[Frame]:
        self.send({"type": "text", "text": text, "stream": stream})
        return self.reply(timeout)

    def frames_until_closed(self, timeout: float = 30) -> tuple[list[Frame], int | None]:
        """Every frame until the server closes the connection, and its close code."""
        frames: list[Frame] = []
        try:
            while True:
                frames.append(self.receive(timeout))
        except ConnectionClosed as closed:
            return frames, closed.rcvd.code if closed.rcvd else None

    def close_code(self, timeout: float = 30) -> int | None:
        """Wait for the server to close the connection and return its close code."""
        try:
            while True:
                self.connection.recv(timeout=timeout)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


@contextmanager
def reader_that_never_reads(base_url: str, first_message: Frame, path: str = "/ws") -> Iterator[socket.socket]:
    """A raw socket that completes the WebSocket handshake, sends one message and then reads nothing,
    so the server's writes back up (a library client would keep draining the socket in a thread)."""
    protocol = ClientProtocol(parse_uri(ws_url(base_url, path)))
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        protocol.send_request(protocol.connect())
        sock.sendall(b"".join(protocol.data_to_send()))
        while protocol.handshake_exc is None and protocol.state is not State.OPEN:
            protocol.receive_data(sock.recv(4096))
        protocol.send_text(json.dumps(first_message).encode())
        sock.sendall(b"".join(protocol.data_to_send()))
        yield sock


def ws_url(base_url: str, path: str) -> str:
    return base_url.replace("http://", "ws://", 1) + path


@contextmanager
def chat(base_url: str, path: str = "/ws", **options: Any) -> Iterator[ChatClient]:
    options.setdefault("max_size", 2**24)
    with connect(ws_url(base_url, path), open_timeout=10, **options) as connection:
        yield ChatClient(connection)


def is_closing(frame: Frame) -> bool:
    """Whether ``frame`` closes a message: an ``error``, or the answer (a bubble not the user's: ``text``,
    or a voice note's ``audio`` carrying the answer in the published client's dialect)."""
    return frame["type"] == "error" or (frame["type"] in ("text", "audio") and frame.get("is_user") is False)


def closing_frame(frames: list[Frame]) -> Frame:
    closing = [f for f in frames if is_closing(f)]
    assert len(closing) == 1, frames
    return closing[0]

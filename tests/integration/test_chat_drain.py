"""The shutdown's race, in process: a message that the server has received but the session has not
read yet when the drain starts, and one still on its way. The app runs behind a server stand-in that,
as uvicorn's WebSocket protocol does, queues what arrives for ``receive``, refuses any frame the app
sends after its close and drops what arrives after it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from ova.config import load_settings
from ova.entrypoints.app import create_app
from tests.e2e.server import FAKE_AI


class ServerSide:
    """One WebSocket as the server holds it: ``arrive`` is a frame from the client (queued, as the
    server queues it for the app), ``sent`` what the app sent, ``closed_with`` its close code."""

    def __init__(self) -> None:
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._inbox.put_nowait({"type": "websocket.connect"})
        self.sent: list[dict[str, Any]] = []
        self.closed_with: int | None = None
        self.opened = asyncio.Event()

    def arrive(self, frame: dict[str, Any]) -> None:
        """A frame from the client; after the close the server drops it unread, as uvicorn does."""
        if self.closed_with is None:
            self._inbox.put_nowait({"type": "websocket.receive", "text": json.dumps(frame)})

    async def receive(self) -> dict[str, Any]:
        return await self._inbox.get()

    async def send(self, message: dict[str, Any]) -> None:
        if self.closed_with is not None:
            raise RuntimeError(f"Unexpected ASGI message {message['type']!r}, after sending 'websocket.close'.")
        if message["type"] == "websocket.accept":
            return
        if message["type"] == "websocket.close":
            self.closed_with = message.get("code", 1000)
            self._inbox.put_nowait({"type": "websocket.disconnect", "code": self.closed_with})
            return
        frame = json.loads(message["text"])
        self.sent.append(frame)
        if frame["type"] == "connected":
            self.opened.set()


def scope() -> dict[str, Any]:
    return {"type": "websocket", "path": "/ws", "raw_path": b"/ws", "query_string": b"", "headers": [],
            "scheme": "ws", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000), "root_path": "",
            "subprotocols": [], "asgi": {"version": "3.0"}, "state": {}}


@asynccontextmanager
async def app_for(tmp_path: Path, quiet_s: float = 0.05) -> AsyncIterator[Starlette]:
    settings = load_settings({"SQLITE_PATH": str(tmp_path / "c.db"), "WS_DRAIN_QUIET_S": str(quiet_s), **FAKE_AI},
                             env_file=tmp_path / "none")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_a_message_received_but_not_yet_read_when_the_drain_starts_gets_unavailable(tmp_path: Path) -> None:
    async with app_for(tmp_path) as app:
        side = ServerSide()
        connection = asyncio.create_task(app(scope(), side.receive, side.send))
        await side.opened.wait()

        side.arrive({"type": "text", "text": "¿me oyes?"})  # received; the session's reader has not run yet
        await app.state.chat_registry.close_all(1.0)
        await asyncio.wait_for(connection, 5)  # ended without an error (before: RuntimeError, sending after the close)

    assert [frame["type"] for frame in side.sent] == ["connected", "error", "typing"]
    assert side.sent[1]["code"] == "unavailable" and side.sent[2] == {"type": "typing", "is_typing": False}
    assert side.closed_with == 1012


async def test_a_message_that_arrives_after_the_drain_began_gets_unavailable_before_the_close(tmp_path: Path) -> None:
    """Before, an idle connection was closed the moment the drain began: a message on its way then
    met the close and was dropped unread. Now the close waits for the client to be quiet."""
    async with app_for(tmp_path, quiet_s=2.0) as app:
        side = ServerSide()
        connection = asyncio.create_task(app(scope(), side.receive, side.send))
        await side.opened.wait()
        draining = asyncio.create_task(app.state.chat_registry.close_all(1.0))
        await asyncio.sleep(0.05)  # the message's way over the network
        side.arrive({"type": "text", "text": "¿me oyes?"})
        await draining
        await asyncio.wait_for(connection, 5)
    assert [frame["type"] for frame in side.sent] == ["connected", "error", "typing"]
    assert side.sent[1]["code"] == "unavailable"
    assert side.closed_with == 1012


async def test_an_idle_connection_is_closed_with_1012_once_quiet(tmp_path: Path) -> None:
    async with app_for(tmp_path) as app:
        side = ServerSide()
        connection = asyncio.create_task(app(scope(), side.receive, side.send))
        await side.opened.wait()
        await app.state.chat_registry.close_all(1.0)
        await asyncio.wait_for(connection, 5)
    assert [frame["type"] for frame in side.sent] == ["connected"]
    assert side.closed_with == 1012

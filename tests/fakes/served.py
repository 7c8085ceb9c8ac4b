"""Serving a fake remote server (Hugging Face, an OpenAI-compatible chat, vision or speech server) to
tests over real HTTP: uvicorn in a background thread on a free local port.

``running(fake)`` serves one for a ``with`` block. ``served(make)`` is a module-scoped fixture that
serves one for a whole test module and yields ``(fake, base URL)``; ``fresh(fake, key)`` wipes what an
earlier test left (requests, scripts) and sets the API key it demands, as each test's fixture does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

import pytest
import uvicorn
from starlette.types import ASGIApp


class Servable(Protocol):
    """What ``running`` needs of a fake: the app to serve, and an event set on stop that ends its hangs."""

    @property
    def app(self) -> ASGIApp: ...

    @property
    def closing(self) -> threading.Event: ...


class Scripted(Servable, Protocol):
    """A fake a test scripts: it demands ``api_key`` when set and forgets every test's traces on ``reset``."""

    api_key: str | None

    def reset(self) -> None: ...


ServedFake = TypeVar("ServedFake", bound=Servable)
ScriptedFake = TypeVar("ScriptedFake", bound=Scripted)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(fake: Servable) -> Iterator[str]:
    """Serves ``fake`` with uvicorn in a background thread; yields ``http://127.0.0.1:{port}``."""
    port = _free_port()
    config = uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                            ws="none", http="h11", loop="asyncio", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fake-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the fake server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        fake.closing.set()
        server.should_exit = True
        thread.join(timeout=10)


def served(make: Callable[[], ServedFake]) -> Any:
    """A module-scoped fixture serving one ``make()`` to every test of the module: ``(fake, base URL)``.

    Assign it to the fixture's name: ``speech_server = served(FakeSpeechServer)``. Starting uvicorn once
    a module, not once a test, is why the fake is shared and each test takes it through ``fresh``.
    """

    @pytest.fixture(scope="module")
    def serve() -> Iterator[tuple[ServedFake, str]]:
        fake = make()
        with running(fake) as base:
            yield fake, base

    return serve


def fresh(fake: ScriptedFake, key: str | None = None) -> ScriptedFake:
    """``fake`` as a new test finds it: nothing recorded or scripted, demanding ``key`` (``None``: no key)."""
    fake.reset()
    fake.api_key = key
    return fake

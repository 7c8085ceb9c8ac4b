"""A TCP proxy that can stop forwarding bytes without closing anything: a server that stops answering
(a network partition, a frozen host) as the client sees it; or reset every connection: a killed server.
``proxy_in_thread`` runs one on its own event loop, for tests that drive a server process synchronously."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self, TypeVar

_T = TypeVar("_T")


class FreezableTcpProxy:
    """Forwards every connection made to ``listen`` (``127.0.0.1`` and a free port, by default: ``port``
    says which) to ``target_host:target_port``.

    ``freeze()`` holds every byte in both directions (connections stay open and new ones are still
    accepted, as the kernel would, but nothing is passed on);
    ``thaw()`` lets them flow again. ``kill()`` resets every connection, and every new one, as a
    host whose server died would; ``revive()`` accepts and forwards again. Use as
    ``async with FreezableTcpProxy(host, port) as proxy``.
    """

    def __init__(self, target_host: str, target_port: int, *, listen: tuple[str, int] = ("127.0.0.1", 0)) -> None:
        self._target = (target_host, target_port)
        self._listen = listen
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._dead = False
        self.port = 0

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, *self._listen)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        await self._server.wait_closed()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def kill(self) -> None:
        self._dead = True
        for writer in list(self._writers):
            _reset(writer)

    def revive(self) -> None:
        self._dead = False
        self._flowing.set()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self._dead:
            _reset(client_writer)
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self._target)
        except OSError:
            client_writer.close()
            return
        self._writers.update((client_writer, server_writer))
        for reader, writer in ((client_reader, server_writer), (server_reader, client_writer)):
            pipe = asyncio.create_task(self._pipe(reader, writer))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()  # frozen: the bytes read are held, not forwarded
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            self._writers.discard(writer)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (linger 0), not an orderly FIN: what a peer whose process died sends."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class ThreadedProxy:
    """A ``FreezableTcpProxy`` on an event loop in another thread; each call returns once done there."""

    def __init__(self, proxy: FreezableTcpProxy, loop: asyncio.AbstractEventLoop) -> None:
        self._proxy = proxy
        self._loop = loop

    @property
    def port(self) -> int:
        return self._proxy.port

    def freeze(self) -> None:
        self._call(self._proxy.freeze)

    def thaw(self) -> None:
        self._call(self._proxy.thaw)

    def kill(self) -> None:
        self._call(self._proxy.kill)

    def revive(self) -> None:
        self._call(self._proxy.revive)

    def _call(self, action: Callable[[], None]) -> None:
        async def run() -> None:
            action()

        _run_in(self._loop, run())


def _run_in(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=10)


@contextmanager
def proxy_in_thread(
    target_host: str, target_port: int, *, listen: tuple[str, int] = ("127.0.0.1", 0),
) -> Iterator[ThreadedProxy]:
    """A proxy to ``target_host:target_port`` on ``listen`` (``127.0.0.1:<its port>``), served by its own
    thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="tcp-proxy", daemon=True)
    thread.start()
    proxy = FreezableTcpProxy(target_host, target_port, listen=listen)
    try:
        _run_in(loop, proxy.__aenter__())
        try:
            yield ThreadedProxy(proxy, loop)
        finally:
            _run_in(loop, proxy.__aexit__(None, None, None))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()

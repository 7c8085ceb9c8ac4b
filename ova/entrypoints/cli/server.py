"""uvicorn, with a shutdown that lets chat answers finish before the sockets close.

uvicorn's own shutdown closes every WebSocket with 1012 at once, before the app hears of it; this
server first stops listening, then asks the app's chat sessions to finish or cancel their answers and
close with 1012 themselves, and only then runs uvicorn's shutdown.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess

from ova.bootstrap.metrics_directory import forget_dead_worker
from ova.entrypoints.gc_tuning import freeze_startup_heap


def _app_state(app: Any) -> Any:
    """The Starlette app's ``state`` behind uvicorn's wrappers (proxy headers, logging)."""
    for _ in range(10):
        if app is None:
            return None
        state = getattr(app, "state", None)
        if state is not None and hasattr(state, "chat_registry"):
            return state
        app = getattr(app, "app", None)
    return None


class GracefulServer(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        freeze_startup_heap()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        state = _app_state(self.config.loaded_app)
        if state is not None:
            await state.chat_registry.close_all(state.settings.chat.shutdown_grace_s)
        await super().shutdown(sockets)


class _GracefulWorker(multiprocess.Process):
    """A worker process of ``--workers N`` that runs a ``GracefulServer``."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = GracefulServer(config=self.config)
        return self._server

    def join(self) -> None:
        """The supervisor waits here for every worker that ended, whichever way (died and replaced,
        ``SIGHUP``'s restart, ``SIGTTOU``, shutdown): its open-connection gauges stop counting in
        ``/metrics``, its counters stay."""
        super().join()
        forget_dead_worker(self.pid)


class _DrainingSupervisor(Multiprocess):
    """uvicorn's supervisor of ``--workers N``, which on SIGTERM or SIGINT first closes its own copy of
    the listening socket. The kernel keeps accepting connections into a listening socket while any
    process holds it open: with the supervisor's copy open until every worker had finished its answers,
    new connections were accepted and then left unanswered for the whole grace period (a load balancer
    saw them time out) instead of being refused at once, as with one worker. The workers close their
    copies as their shutdown starts (``GracefulServer.shutdown``)."""

    def _stop_listening(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def handle_term(self) -> None:
        self._stop_listening()
        super().handle_term()

    def handle_int(self) -> None:
        self._stop_listening()
        super().handle_int()


def run(config: uvicorn.Config) -> None:
    if config.workers > 1:
        # uvicorn's supervisor builds its workers from this module-level name; the worker object is
        # pickled into each child, so the children run the graceful server too.
        multiprocess.Process = _GracefulWorker  # type: ignore[misc]
        _DrainingSupervisor(config, sockets=[config.bind_socket()]).run()
    else:
        GracefulServer(config).run()

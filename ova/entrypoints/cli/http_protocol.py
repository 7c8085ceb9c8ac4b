"""uvicorn's httptools protocol with a deadline on request headers.

uvicorn closes a keep-alive connection that stays idle between requests (``timeout_keep_alive``), but
has no deadline on the headers themselves: a connection that sends nothing, or a request line and
then a byte every few seconds, is held for ever, and a few hundred of them hold a few hundred sockets
and protocol objects. This protocol arms one timer when a connection is made and again when a later
request's first byte arrives, and disarms it when the request's headers are complete; when it fires
the connection is closed. The body is not under this deadline: uploads are bounded by their own
limits, and the application reads them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

DEFAULT_HEADER_TIMEOUT_S = 10.0


class OvaConfig(uvicorn.Config):
    """uvicorn's configuration plus ``header_timeout_s``; an instance attribute, so that it travels
    with the configuration into each worker process of ``--workers N`` (which are given the pickled
    configuration)."""

    def __init__(self, app: Any, *, header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.header_timeout_s = header_timeout_s


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol``, closing a connection whose request headers take longer than the
    configuration's ``header_timeout_s``."""

    def __init__(self, config: uvicorn.Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout_s: float = getattr(config, "header_timeout_s", DEFAULT_HEADER_TIMEOUT_S)
        self.header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        cycle = self.cycle
        if cycle is None or cycle.response_complete:  # not while a pipelined request is answered
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self.header_timer is None:
            self.header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

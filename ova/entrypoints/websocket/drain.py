"""What a chat connection does while the service shuts down (drains): it waits for its client to be
quiet before it closes (``until_quiet``), refuses with ``unavailable`` the messages it will not
answer, and marks an answer cut off when the shutdown's grace ran out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ova.domain.language import Language
from ova.entrypoints.websocket.chat_socket import ChatSocket

UNAVAILABLE = "El servicio se está reiniciando; vuelve a conectar."
CUT_OFF = " […] (respuesta interrumpida por un reinicio del servicio)"
"""Ends an answer stored as far as it had been written when the shutdown's grace ran out."""
DRAIN_QUIET_TIMES = 4  # a draining connection is closed after this many quiet periods at most


CUT_OFF_IN: dict[Language, str] = {Language.ES: CUT_OFF, Language.EN: " […] (answer cut off by a service restart)"}


async def until_quiet(socket: ChatSocket, reader: asyncio.Task[Any] | None, quiet_s: float, *,
                      dropped: Callable[[], bool]) -> None:
    """Return once the reader waits for a frame and none has come for ``quiet_s`` seconds (counted
    from now at the earliest), or after ``DRAIN_QUIET_TIMES`` times that: a client that keeps
    writing is closed anyway. (At once when the connection was ``dropped`` or its reader is over.)"""
    started = time.monotonic()
    give_up = started + DRAIN_QUIET_TIMES * quiet_s
    while not dropped() and reader is not None and not reader.done():
        await asyncio.sleep(0)  # a reader woken by a frame already received takes it first
        now = time.monotonic()
        quiet_until = max(socket.last_heard, started) + quiet_s
        if now >= give_up or (socket.receiving and now >= quiet_until):
            return
        await asyncio.sleep(min(give_up, quiet_until) - now if now < quiet_until else 0.01)

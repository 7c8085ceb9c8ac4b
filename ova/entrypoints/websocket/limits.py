"""One chat connection's limits: messages a minute (``WS_MESSAGES_PER_MINUTE``), messages waiting
for an answer (``WS_PENDING_MESSAGES``), and the flood of refusals after which the client is
disconnected (1008).

They are counted over the session's two sliding windows (messages taken, frames refused), so that
an idle connection holds nothing for them but those two windows.
"""

from __future__ import annotations

from ova.config.settings import ChatSettings
from ova.entrypoints.websocket.client_frames import FrameError
from ova.entrypoints.websocket.window import SlidingWindow

RATE_WINDOW_S = 60.0
REFUSALS_BEFORE_CLOSE = 5  # times the message limit: a client that keeps flooding is disconnected


def message_refusal(accepted: SlidingWindow, now: float, waiting: int, settings: ChatSettings) -> FrameError | None:
    """Why a message read at ``now`` is refused: ``rate_limited`` once the minute's messages are
    taken, ``busy`` while more than ``pending_per_connection`` wait for an answer; ``None`` when it
    is taken."""
    if accepted.count(now) >= settings.messages_per_minute:
        retry_after = max(1, round(accepted.free_in(now)))
        limit = settings.messages_per_minute
        return FrameError("rate_limited", "Demasiados mensajes; espera un poco.",
                          retry_after_s=retry_after, limit_per_minute=limit)
    if waiting > settings.pending_per_connection:
        return FrameError("busy", "Aún estoy respondiendo a tus mensajes anteriores; espera un poco.",
                          pending=waiting)
    return None


def flooded(refused: SlidingWindow, now: float, messages_per_minute: int) -> bool:
    """Whether the frames refused in the window ending at ``now`` are a flood: the client goes."""
    return refused.count(now) > REFUSALS_BEFORE_CLOSE * messages_per_minute

"""One chat connection's limits on their own: messages a minute, messages waiting, the flood of
refusals that closes the connection. (The e2e tests in test_chat_limits.py see the same frames
through a real server.)"""

from __future__ import annotations

from ova.config.settings import ChatSettings
from ova.entrypoints.websocket.limits import RATE_WINDOW_S, REFUSALS_BEFORE_CLOSE, flooded, message_refusal
from ova.entrypoints.websocket.window import SlidingWindow

SETTINGS = ChatSettings(messages_per_minute=3, pending_per_connection=2)


def taken(times: list[float]) -> SlidingWindow:
    window = SlidingWindow(RATE_WINDOW_S)
    for at in times:
        window.add(at)
    return window


def test_a_message_within_the_limits_is_taken() -> None:
    assert message_refusal(taken([0.0, 1.0]), 2.0, 2, SETTINGS) is None


def test_a_message_past_the_minutes_limit_is_rate_limited_until_the_oldest_leaves_the_window() -> None:
    refusal = message_refusal(taken([0.0, 1.0, 2.0]), 10.0, 0, SETTINGS)

    assert refusal is not None
    assert (refusal.code, refusal.message) == ("rate_limited", "Demasiados mensajes; espera un poco.")
    assert refusal.details == {"retry_after_s": 50, "limit_per_minute": 3}


def test_the_minutes_limit_forgets_messages_older_than_the_window() -> None:
    assert message_refusal(taken([0.0, 1.0, 2.0]), RATE_WINDOW_S + 0.5, 0, SETTINGS) is None


def test_a_message_while_more_than_the_pending_limit_wait_is_busy() -> None:
    refusal = message_refusal(taken([]), 0.0, 3, SETTINGS)

    assert refusal is not None
    assert refusal.code == "busy"
    assert refusal.details == {"pending": 3}


def test_refusals_become_a_flood_past_a_multiple_of_the_message_limit() -> None:
    limit = REFUSALS_BEFORE_CLOSE * SETTINGS.messages_per_minute
    refused = taken([0.0] * limit)

    assert not flooded(refused, 1.0, SETTINGS.messages_per_minute)
    refused.add(1.0)
    assert flooded(refused, 1.0, SETTINGS.messages_per_minute)

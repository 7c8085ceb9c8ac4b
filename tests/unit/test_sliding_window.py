"""The per-connection limits' window: only the last ``seconds`` count."""

from __future__ import annotations

from ova.entrypoints.websocket.window import SlidingWindow


def test_events_older_than_the_window_stop_counting() -> None:
    window = SlidingWindow(60)
    for second in (0, 10, 59):
        window.add(second)
    assert window.count(59.5) == 3
    assert window.count(60.5) == 2
    assert window.count(200) == 0


def test_free_in_is_the_wait_until_the_oldest_event_leaves() -> None:
    window = SlidingWindow(60)
    assert window.free_in(5) == 0
    window.add(10)
    window.add(30)
    assert window.count(40) == 2
    assert window.free_in(40) == 30

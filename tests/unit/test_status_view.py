"""``/status`` writes its JSON by hand for speed; it must be exactly what ``respond`` would write."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

import ova
from ova.entrypoints.asgi.converter import dump
from ova.entrypoints.http.routes.status import INSTANCE, StatusDetailView, StatusView, status_body


@pytest.mark.parametrize("environment", ["development", "production", "tésting"])
@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 24, 21, 8, 14, tzinfo=UTC), datetime(2026, 11, 24, 21, 8, 14, 250000, tzinfo=UTC),
     datetime(2026, 11, 24, 22, 8, 14, 1, tzinfo=timezone(timedelta(hours=1)))],
)
@pytest.mark.parametrize("uptime_s", [0.0, 0.0004, 1.23456, 86400.5, 1e7 + 0.0015])
@pytest.mark.parametrize("instance", [None, INSTANCE, "hôst-ñ:42"])
def test_the_hand_written_status_is_the_status_view(environment: str, now: datetime, uptime_s: float,
                                                    instance: str | None) -> None:
    fields = {"status": "online", "version": ova.__version__, "environment": environment, "timestamp": now,
              "uptime_s": round(uptime_s, 3)}
    view = StatusView(**fields) if instance is None else StatusDetailView(**fields, instance=instance)

    body = status_body(environment, now, uptime_s, instance=instance)

    assert json.loads(body) == dump(view)
    assert list(json.loads(body)) == list(dump(view))  # same key order
    assert body == json.dumps(dump(view), ensure_ascii=False, separators=(",", ":")).encode()

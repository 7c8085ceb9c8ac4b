"""Several ``ova serve`` workers sharing state through Redis, as end-to-end tests drive them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.e2e.server import admin_headers
from tests.services import require_service

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_cleaned_up() -> Iterator[None]:
    """Skips (or fails, with OVA_REQUIRE_SERVICES) without Redis; deletes ova's keys afterwards."""
    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        connection.ping()
    except redis.RedisError as error:
        require_service("Redis at 127.0.0.1:6379", error)
    yield
    for key in connection.scan_iter("ova:*"):
        connection.delete(key)
    connection.close()


def clients_on_two_workers(base: str, timeout_s: float = 90) -> tuple[httpx.Client, httpx.Client]:
    """Two keep-alive clients whose connections landed on different worker processes. The server
    answers once one worker is up; on a busy machine the other may take tens of seconds more."""
    operator = admin_headers(base)  # ``instance`` is shown to admins only
    first = httpx.Client(base_url=base, timeout=30)
    seen = first.get("/status", headers=operator).json()["instance"]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        second = httpx.Client(base_url=base, timeout=30)
        if second.get("/status", headers=operator).json()["instance"] != seen:
            return first, second
        second.close()
        time.sleep(0.05)
    first.close()
    pytest.fail(f"every new connection reached the same worker for {timeout_s} s")

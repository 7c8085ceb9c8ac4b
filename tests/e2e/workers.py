"""Several ``ova serve`` workers sharing state through Redis, as end-to-end tests drive them."""

from __future__ import annotations

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


def clients_on_two_workers(base: str) -> tuple[httpx.Client, httpx.Client]:
    """Two keep-alive clients whose connections landed on different worker processes."""
    operator = admin_headers(base)  # ``instance`` is shown to admins only
    first = httpx.Client(base_url=base, timeout=30)
    seen = first.get("/status", headers=operator).json()["instance"]
    for _ in range(200):
        second = httpx.Client(base_url=base, timeout=30)
        if second.get("/status", headers=operator).json()["instance"] != seen:
            return first, second
        second.close()
    first.close()
    pytest.fail("200 new connections all reached the same worker")

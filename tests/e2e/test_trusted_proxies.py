"""``X-Forwarded-For`` names the client only when it comes from a proxy in ``TRUSTED_PROXIES``: by
default even a local process cannot claim another address to slip past the per-address limits."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import running_server, server_env


def register_as(client: httpx.Client, forwarded_for: str) -> int:
    email = f"proxy-{secrets.token_hex(4)}@example.org"
    response = client.post("/auth/register", headers={"X-Forwarded-For": forwarded_for},
                           json={"nombre": "Proxy", "email": email, "password": "password-proxy"})
    return response.status_code


@pytest.mark.parametrize(("trusted", "second"), [(None, 429), ("127.0.0.1", 201), ("10.0.0.0/8,127.0.0.0/8", 201)])
def test_forwarded_for_counts_for_the_limits_only_from_a_trusted_proxy(tmp_path: Path, trusted: str | None,
                                                                        second: int) -> None:
    env = server_env(tmp_path, {"REGISTER_MAX_PER_HOUR": "1"})
    env.pop("TRUSTED_PROXIES", None)
    env.update({"TRUSTED_PROXIES": trusted} if trusted else {})
    with running_server(env) as base, httpx.Client(base_url=base, timeout=30) as client:
        first = register_as(client, "203.0.113.1")
        other_address = register_as(client, "203.0.113.2")
        same_address = register_as(client, "203.0.113.1")
    assert (first, other_address, same_address) == (201, second, 429)

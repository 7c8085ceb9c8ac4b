"""A login flood through a real server: past the password-hash queue, 503 ``busy`` with
``Retry-After`` at once, while requests that hash nothing keep answering."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, running_server, server_env

FLOOD = 24
# One hash at a time and one waiting, at a cost that keeps each hash running while the flood arrives.
NARROW_AND_SLOW = {"PASSWORD_HASH_CONCURRENCY": "1", "PASSWORD_HASH_QUEUE": "1",
                   "PASSWORD_HASH_TIME_COST": "4", "PASSWORD_HASH_MEMORY_KIB": "65536"}
CREDENTIALS = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}


async def _flood(base: str) -> tuple[list[httpx.Response], httpx.Response]:
    limits = httpx.Limits(max_connections=FLOOD + 1, max_keepalive_connections=FLOOD + 1)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        logins = [asyncio.create_task(client.post("/auth/login", json=CREDENTIALS)) for _ in range(FLOOD)]
        await asyncio.sleep(0)  # the logins are on their way before /status is asked
        status = await client.get("/status")
        return list(await asyncio.gather(*logins)), status


def test_a_login_flood_past_the_hash_queue_gets_503_busy_and_status_still_answers(tmp_path: Path) -> None:
    env = server_env(tmp_path, NARROW_AND_SLOW)
    with running_server(env) as base:
        answers, status = asyncio.run(_flood(base))

        assert status.status_code == 200, "a request that hashes nothing is not queued behind the hashes"
        codes = sorted(answer.status_code for answer in answers)
        assert set(codes) == {200, 503}, codes
        for answer in answers:
            if answer.status_code == 503:
                assert answer.json()["code"] == "busy" and isinstance(answer.json()["detail"], str)
                assert int(answer.headers["Retry-After"]) >= 1
        with httpx.Client(base_url=base, timeout=60) as client:
            assert client.post("/auth/login", json=CREDENTIALS).status_code == 200, "the queue drains"

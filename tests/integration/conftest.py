"""What the tests of the remote adapters (Hugging Face, OpenAI-compatible chat, vision and speech) share:
an HTTP client, and the clock and sleep their resilience reads (``tests.fakes.resilience``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.fakes.resilience import Clock, Sleeps


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()

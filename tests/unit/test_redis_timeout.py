"""``REDIS_TIMEOUT_S``: read from the environment and bounded, handed by the container to the Redis
adapter, which sets the client's connect and read timeouts and its own overall deadline from it (so a
Redis that stops answering holds a request that long at most, see tests/e2e/test_redis_outage.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ova.adapters.state.redis import RedisSharedState
from ova.bootstrap import Container
from ova.config import load_settings
from ova.config.loader import ConfigError


def test_redis_timeout_s_is_read_with_a_default_and_bounded(tmp_path: Path) -> None:
    none = tmp_path / "none"
    assert load_settings({}, env_file=none).redis_timeout_s == 2.0
    assert load_settings({"REDIS_TIMEOUT_S": "0.5"}, env_file=none).redis_timeout_s == 0.5
    for wrong in ("0", "-1", "61", "soon"):
        with pytest.raises(ConfigError, match="REDIS_TIMEOUT_S"):
            load_settings({"REDIS_TIMEOUT_S": wrong}, env_file=none)


async def test_the_container_hands_the_timeout_to_the_redis_client(tmp_path: Path) -> None:
    settings = load_settings({"REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_TIMEOUT_S": "0.7"},
                             env_file=tmp_path / "none")
    state = Container(settings=settings).shared_state()
    try:
        assert isinstance(state, RedisSharedState)
        options = state._redis.connection_pool.connection_kwargs
        assert options["socket_timeout"] == 0.7
        assert options["socket_connect_timeout"] == 0.7
        assert state._deadline_s == 0.7
    finally:
        await state.aclose()


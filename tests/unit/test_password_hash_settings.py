"""``PASSWORD_HASH_QUEUE``: how many password hashes may wait, its default and its wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from ova.bootstrap import build_container
from ova.config import ConfigError, load_settings
from ova.config.settings import PASSWORD_QUEUE_PER_HASH, Settings


def _settings(environ: dict[str, str], tmp_path: Path) -> Settings:
    return load_settings({"SQLITE_PATH": str(tmp_path / "q.db"), **environ}, env_file=tmp_path / "absent.env")


def test_by_default_the_queue_follows_the_hash_concurrency(tmp_path: Path) -> None:
    settings = _settings({"PASSWORD_HASH_CONCURRENCY": "3"}, tmp_path)

    assert settings.auth.password_queue is None
    assert settings.auth.password_waiting == 3 * PASSWORD_QUEUE_PER_HASH > 3


def test_the_queue_can_be_set_to_any_size_including_none(tmp_path: Path) -> None:
    assert _settings({"PASSWORD_HASH_QUEUE": "40"}, tmp_path).auth.password_waiting == 40
    assert _settings({"PASSWORD_HASH_QUEUE": "0"}, tmp_path).auth.password_waiting == 0


@pytest.mark.parametrize("raw", ["-1", "many", "10001"])
def test_a_bad_queue_size_names_the_variable(tmp_path: Path, raw: str) -> None:
    with pytest.raises(ConfigError) as error:
        _settings({"PASSWORD_HASH_QUEUE": raw}, tmp_path)

    assert [p.split("=")[0] for p in error.value.problems] == ["PASSWORD_HASH_QUEUE"]


def test_the_container_gives_the_hasher_its_concurrency_and_queue(tmp_path: Path) -> None:
    container = build_container(_settings({"PASSWORD_HASH_CONCURRENCY": "2", "PASSWORD_HASH_QUEUE": "5"}, tmp_path))

    hasher = container.hasher()

    assert (hasher.max_concurrency, hasher.max_waiting) == (2, 5)


def test_the_container_default_queue_is_a_multiple_of_the_concurrency(tmp_path: Path) -> None:
    hasher = build_container(_settings({"PASSWORD_HASH_CONCURRENCY": "2"}, tmp_path)).hasher()

    assert hasher.max_waiting == 2 * PASSWORD_QUEUE_PER_HASH

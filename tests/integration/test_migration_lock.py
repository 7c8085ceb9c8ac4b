"""Upgrades started at once (several hosts deploying one release) run one after the other."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from ova.adapters.sqlalchemy import migrator

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'ova.sqlite3'}"
    url: str = request.getfixturevalue("mariadb_url")
    return url


def _upgrade_in_another_process(url: str) -> subprocess.Popen[bytes]:
    code = "import sys; from ova.adapters.sqlalchemy import migrator; migrator.upgrade(sys.argv[1])"
    return subprocess.Popen([sys.executable, "-c", code, url], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_an_upgrade_waits_while_another_holds_the_lock_then_finishes(fresh_url: str) -> None:
    with migrator.migration_lock(fresh_url):
        waiting = _upgrade_in_another_process(fresh_url)
        time.sleep(2.0)
        assert waiting.poll() is None, waiting.communicate()[0].decode()
        assert migrator.current(fresh_url) is None  # it has not touched the schema
    output, _ = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, output.decode()
    assert migrator.current(fresh_url) == migrator.head()


def test_three_upgrades_at_once_all_succeed(fresh_url: str) -> None:
    """Without the lock, MariaDB failed one round in three ("Table 'users' already exists")."""
    runs = [_upgrade_in_another_process(fresh_url) for _ in range(3)]
    for run in runs:
        output, _ = run.communicate(timeout=180)
        assert run.returncode == 0, output.decode()
    assert migrator.current(fresh_url) == migrator.head()


def test_a_lock_held_too_long_is_a_clear_error(fresh_url: str) -> None:
    with migrator.migration_lock(fresh_url), pytest.raises(migrator.MigrationLockTimeout, match="another migration"):
        with migrator.migration_lock(fresh_url, timeout_s=0.5):
            pass

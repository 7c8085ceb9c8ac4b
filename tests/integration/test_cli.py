from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.migrator import head
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWorkFactory
from ova.domain.tokens import RefreshSession
from ova.domain.users import Role, User
from tests.e2e.server import FAST_HASHING, free_port, running_server, server_env


def ova(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ova", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return server_env(tmp_path)


def test_config_check_prints_the_settings_with_secrets_masked(env: dict[str, str]) -> None:
    result = ova("config", "check", env=env)
    assert result.returncode == 0, result.stderr
    assert "configuration ok" in result.stdout and "ENVIRONMENT" in result.stdout
    assert env["JWT_SECRET_KEY"] not in result.stdout and env["OVA_ADMIN_PASSWORD"] not in result.stdout


def test_an_invalid_configuration_stops_with_the_variable_named(env: dict[str, str]) -> None:
    result = ova("config", "check", env={**env, "ENVIRONMENT": "production", "ACCESS_TOKEN_EXPIRE_MINUTES": "0"})
    assert result.returncode == 2
    assert "ACCESS_TOKEN_EXPIRE_MINUTES" in result.stderr


def test_serve_refuses_to_start_with_an_unsafe_production_configuration(env: dict[str, str]) -> None:
    result = ova("serve", "--port", str(free_port()), env={**env, "ENVIRONMENT": "production"})
    assert result.returncode == 2
    assert "USE_SQLITE" in result.stderr


def test_db_current_says_behind_until_upgrade(env: dict[str, str]) -> None:
    before = ova("db", "current", env=env)
    assert before.returncode == 1 and "(none)" in before.stdout
    assert ova("db", "upgrade", env=env).returncode == 0
    after = ova("db", "current", env=env)
    assert after.returncode == 0 and f"current: {head()}" in after.stdout


def sessions_in(url: str, *, add: dict[str, datetime] | None = None) -> set[str]:
    """Adds sessions (family: expiry) for a new user when asked, and says which of those families exist."""

    async def run() -> set[str]:
        engine = create_engine(url)
        try:
            async with SqlUnitOfWorkFactory(engine)() as uow:
                if add:
                    user = await uow.users.add(User("Ana", "ana@example.org", Role.USER, True, datetime.now(UTC)))
                    assert user.id is not None
                    for family, expires_at in add.items():
                        await uow.refresh_sessions.add(RefreshSession(family, user.id, "jti", expires_at))
                    await uow.commit()
                return {f for f in ("expired", "live") if await uow.refresh_sessions.get(f) is not None}
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_db_purge_deletes_the_expired_refresh_sessions_only(env: dict[str, str]) -> None:
    assert ova("db", "upgrade", env=env).returncode == 0
    url = f"sqlite+aiosqlite:///{env['SQLITE_PATH']}"
    now = datetime.now(UTC)
    sessions_in(url, add={"expired": now - timedelta(minutes=1), "live": now + timedelta(days=1)})

    purged = ova("db", "purge", env=env)
    again = ova("db", "purge", env=env)

    assert purged.returncode == 0, purged.stderr
    assert "expired refresh sessions deleted: 1" in purged.stdout
    assert "expired refresh sessions deleted: 0" in again.stdout
    assert sessions_in(url) == {"live"}


def test_admin_create_creates_then_promotes_idempotently(env: dict[str, str]) -> None:
    assert ova("db", "upgrade", env=env).returncode == 0
    created = ova("admin", "create", "--email", "Boss@Example.org", "--password", "boss-password", env=env)
    assert created.returncode == 0, created.stderr
    assert "boss@example.org" in created.stdout
    again = ova("admin", "create", "--email", "boss@example.org", "--password", "other-password", env=env)
    assert again.returncode == 0
    assert again.stdout.splitlines()[0].split("(id")[1] == created.stdout.splitlines()[0].split("(id")[1]
    assert "password replaced, every other login ended" in again.stdout
    assert "password replaced" not in created.stdout
    refused = ova("admin", "create", "--email", "not-an-email", "--password", "boss-password", env=env)
    assert refused.returncode == 2 and "--email" in refused.stderr
    short = ova("admin", "create", "--email", "x@example.org", "--password", "short", env=env)
    assert short.returncode == 2 and "--password" in short.stderr


def test_health_exit_codes_follow_the_server_state(tmp_path: Path) -> None:
    unreachable = ova("health", "--url", f"http://127.0.0.1:{free_port()}", "--timeout", "2",
                      env=server_env(tmp_path))
    assert unreachable.returncode == 2 and "down" in unreachable.stdout

    with running_server(server_env(tmp_path / "ok")) as base:
        healthy = ova("health", "--url", base, env=server_env(tmp_path))
    assert healthy.returncode == 0, healthy.stdout
    assert healthy.stdout.startswith("ok") and "database" in healthy.stdout

    # every authenticated route needs the shared state: with Redis gone the service is down
    broken_cache = server_env(tmp_path / "down", {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                                                      **FAST_HASHING})
    broken_cache.pop("OVA_ADMIN_EMAIL")
    broken_cache.pop("OVA_ADMIN_PASSWORD")
    with running_server(broken_cache) as base:
        down = ova("health", "--url", base, env=server_env(tmp_path))
    assert down.returncode == 2, down.stdout
    assert down.stdout.startswith("down") and "cache      down" in down.stdout


def test_health_shows_providers_only_with_an_operator_token(tmp_path: Path) -> None:
    token = "cli-operator-token-0123456789"
    with running_server(server_env(tmp_path / "ok", {"METRICS_TOKEN": token})) as base:
        anonymous = ova("health", "--url", base, env=server_env(tmp_path))
        operator = ova("health", "--url", base, env=server_env(tmp_path, {"METRICS_TOKEN": token}))
    assert anonymous.returncode == operator.returncode == 0, (anonymous.stdout, operator.stdout)
    assert "database" in anonymous.stdout and "sqlite" not in anonymous.stdout and "None" not in anonymous.stdout
    assert "sqlite" in operator.stdout and "memory" in operator.stdout

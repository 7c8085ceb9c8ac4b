"""The container closes what it opened, once, in dependency order: chat counters and the turn journal
before the shared state and the database pool they write to."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import providers

from ova.bootstrap import build_container
from ova.bootstrap.chat import ChatServices
from ova.config import load_settings


class Closable:
    """Records when it is closed, under whichever method name the container uses."""

    def __init__(self, name: str, closed: list[str]) -> None:
        self.name, self._closed = name, closed

    async def _close(self) -> None:
        self._closed.append(self.name)

    dispose = aclose = flush = close = _close


async def test_shutdown_closes_every_resource_once_in_dependency_order(tmp_path: Path) -> None:
    container = build_container(load_settings({"SQLITE_PATH": str(tmp_path / "r.db")}, env_file=tmp_path / "none"))
    closed: list[str] = []
    for name in ("engine", "turn_journal", "shared_state", "chat_telemetry"):
        getattr(container, name).override(providers.Object(Closable(name, closed)))
    container.ai.http.override(providers.Object(Closable("http", closed)))
    await container.init_resources()  # type: ignore[misc]
    assert closed == []
    await container.shutdown_resources()  # type: ignore[misc]
    assert sorted(closed) == ["chat_telemetry", "engine", "http", "shared_state", "turn_journal"]
    assert closed.index("turn_journal") < closed.index("engine")
    assert closed.index("chat_telemetry") < closed.index("shared_state")


async def test_the_chat_services_are_the_containers_own_use_cases(tmp_path: Path) -> None:
    container = build_container(load_settings({"SQLITE_PATH": str(tmp_path / "c.db")}, env_file=tmp_path / "none"))
    services = container.chat_services()
    assert isinstance(services, ChatServices)
    assert services.converse is container.converse()
    assert services.authenticate is container.authenticate()
    assert services.telemetry is container.chat_telemetry()
    assert services.settings is container.settings().chat
    assert container.chat_registry() is container.chat_registry()

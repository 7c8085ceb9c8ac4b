"""Where ``ova serve`` keeps its workers' metrics files, and when it empties them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ova.adapters.telemetry.multiprocess import DIRECTORY_VARIABLE, multiprocess_directory
from ova.bootstrap.metrics_directory import default_instance, forget_dead_worker, metrics_directory


def test_one_worker_keeps_its_metrics_in_memory() -> None:
    environ: dict[str, str] = {}
    with metrics_directory(1, "host:8000", environ) as directory:
        assert directory is None
        assert environ == {}


def test_several_workers_get_a_temporary_directory_removed_at_exit() -> None:
    environ: dict[str, str] = {}
    with metrics_directory(2, "host:8000", environ) as directory:
        assert directory is not None and directory.is_dir() and not any(directory.iterdir())
        assert environ[DIRECTORY_VARIABLE] == str(directory)
    assert not directory.exists()
    assert environ == {}


def test_under_the_operators_directory_each_server_has_its_own_emptied_at_start(tmp_path: Path) -> None:
    stale = tmp_path / "ova-host-8000" / "counter_http_4242.db"  # left by a server that was killed
    stale.parent.mkdir()
    stale.write_bytes(b"old counts")
    environ = {DIRECTORY_VARIABLE: str(tmp_path)}

    with metrics_directory(2, "host:8000", environ) as directory:
        assert directory == tmp_path / "ova-host-8000"
        assert not stale.exists() and directory.is_dir()
        assert environ[DIRECTORY_VARIABLE] == str(directory)
        with metrics_directory(1, "other/host:9000", dict(environ, **{DIRECTORY_VARIABLE: str(tmp_path)})) as other:
            assert other == tmp_path / "ova-other-host-9000", "one worker too, once the operator names a directory"

    assert not directory.exists() and tmp_path.is_dir()
    assert environ == {DIRECTORY_VARIABLE: str(tmp_path)}


def test_the_default_instance_is_the_host_name_and_port() -> None:
    assert default_instance("web-1", 8000) == "web-1:8000"


def test_a_dead_worker_is_forgotten_only_where_there_is_a_directory(tmp_path: Path) -> None:
    live_gauge = tmp_path / "gauge_livesum_77.db"
    live_gauge.write_bytes(b"")
    forget_dead_worker(77, {})
    forget_dead_worker(None, {DIRECTORY_VARIABLE: str(tmp_path)})
    assert live_gauge.exists()

    forget_dead_worker(77, {DIRECTORY_VARIABLE: str(tmp_path)})

    assert not live_gauge.exists()


def test_the_variable_set_after_prometheus_client_was_imported_does_not_switch_files_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """prometheus-client chose in-memory values when it was imported (tests run without the variable):
    reading files then would miss every series kept in memory."""
    monkeypatch.setenv(DIRECTORY_VARIABLE, str(tmp_path))
    assert multiprocess_directory() is None

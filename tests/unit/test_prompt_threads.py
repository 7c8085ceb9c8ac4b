"""``CHAT_PROMPT_THREADS``: the cores by default, shared out among the workers of ``ova serve --workers N``
(the workers read it from the environment ``ova serve`` leaves them), never less than one each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ova.bootstrap.cpu_share import prompt_threads_per_worker
from ova.config import Settings, load_settings
from ova.entrypoints.cli import main as cli
from ova.entrypoints.cli import server


@pytest.mark.parametrize(("cores", "workers", "threads"), [(2, 1, 2), (2, 2, 1), (2, 4, 1), (16, 3, 5), (1, 1, 1)])
def test_the_cores_are_shared_out_among_the_workers(cores: int, workers: int, threads: int) -> None:
    assert prompt_threads_per_worker(cores, workers) == threads


def test_unset_means_the_cores_and_a_value_is_kept(tmp_path: Path) -> None:
    assert load_settings({}, env_file=tmp_path / "absent.env").chat.prompt_threads is None
    assert load_settings({"CHAT_PROMPT_THREADS": "3"}, env_file=tmp_path / "absent.env").chat.prompt_threads == 3


def served_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *arguments: str,
                       **environ: str) -> dict[str, str]:
    """The environment ``ova serve`` hands its workers, caught where it would start uvicorn."""
    caught: list[dict[str, str]] = []
    monkeypatch.setattr(server, "run", lambda config: caught.append(dict(os.environ)))

    def keep_logging(settings: Settings) -> None:
        """The test process's logging stays as it is."""

    monkeypatch.setattr(cli, "configure_logging", keep_logging)
    for name in ("CHAT_PROMPT_THREADS", "OVA_INSTANCE"):  # what serve writes is put back after the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    env = {"OVA_ENV_FILE": str(tmp_path / "absent.env"), "LOG_LEVEL": "WARNING", "REDIS_URL": "redis://127.0.0.1:1/0",
           **environ}
    result = CliRunner().invoke(cli.main, ["serve", *arguments], env=env)
    assert result.exit_code == 0, result.output
    return caught[0]


def test_serve_shares_the_cores_out_among_its_workers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cores = os.cpu_count() or 1
    one = served_environment(monkeypatch, tmp_path)
    two = served_environment(monkeypatch, tmp_path, "--workers", "2")

    assert one["CHAT_PROMPT_THREADS"] == str(cores)
    assert two["CHAT_PROMPT_THREADS"] == str(max(1, cores // 2))


def test_serve_keeps_a_prompt_thread_count_that_was_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert served_environment(monkeypatch, tmp_path, "--workers", "2", CHAT_PROMPT_THREADS="3")[
        "CHAT_PROMPT_THREADS"] == "3"

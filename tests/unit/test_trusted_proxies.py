"""``TRUSTED_PROXIES``: parsed, and handed to uvicorn by ``ova serve`` (with no ``server`` header)."""

from __future__ import annotations

from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from ova.config import ConfigError, Settings, load_settings
from ova.entrypoints.cli import main as cli
from ova.entrypoints.cli import server


def test_no_proxy_is_trusted_by_default(tmp_path: Path) -> None:
    assert load_settings({}, env_file=tmp_path / "absent.env").http.trusted_proxies == ()


def test_trusted_proxies_are_addresses_and_networks_normalised(tmp_path: Path) -> None:
    settings = load_settings({"TRUSTED_PROXIES": " 127.0.0.1, 10.1.2.3/8 ,::1,, fd00::/8 "},
                             env_file=tmp_path / "absent.env")
    assert settings.http.trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8")
    assert load_settings({"TRUSTED_PROXIES": "10.0.0.1,*"}, env_file=tmp_path / "a.env").http.trusted_proxies == ("*",)


@pytest.mark.parametrize("raw", ["localhost", "10.0.0.0/33", "1.2.3.4.5"])
def test_anything_else_is_refused_by_name(tmp_path: Path, raw: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"TRUSTED_PROXIES": raw}, env_file=tmp_path / "absent.env")
    assert error.value.problems[0].startswith("TRUSTED_PROXIES=")


def serve_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **environ: str) -> uvicorn.Config:
    """The uvicorn configuration ``ova serve`` would run, caught instead of run."""
    caught: list[uvicorn.Config] = []
    monkeypatch.setattr(server, "run", caught.append)

    def keep_logging(settings: Settings) -> None:
        """The test process's logging stays as it is."""

    monkeypatch.setattr(cli, "configure_logging", keep_logging)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    env = {"OVA_ENV_FILE": str(tmp_path / "absent.env"), "LOG_LEVEL": "WARNING", "TRUSTED_PROXIES": "", **environ}
    result = CliRunner().invoke(cli.main, ["serve"], env=env)
    assert result.exit_code == 0, result.output
    return caught[0]


def test_serve_ignores_forwarded_headers_and_sends_no_server_header_by_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = serve_config(monkeypatch, tmp_path)
    assert config.proxy_headers is False
    assert config.forwarded_allow_ips == []  # not uvicorn's default (127.0.0.1, or FORWARDED_ALLOW_IPS)
    assert config.server_header is False


def test_serve_believes_forwarded_headers_from_the_trusted_proxies_only(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = serve_config(monkeypatch, tmp_path, TRUSTED_PROXIES="10.0.0.5,192.168.0.0/16")
    assert config.proxy_headers is True
    assert config.forwarded_allow_ips == ["10.0.0.5", "192.168.0.0/16"]

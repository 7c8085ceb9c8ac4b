"""``OVA_ADMIN_EMAIL`` follows the same email rules as every other address (it once created an
admin called ``.@0.0``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ova.config import ConfigError, load_settings

PASSWORD = "admin-password-long"


@pytest.mark.parametrize("email", [".@0.0", "admin@localhost", "admin.@example.org"])
def test_an_invalid_admin_email_stops_start_up_naming_the_variable(tmp_path: Path, email: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"OVA_ADMIN_EMAIL": email, "OVA_ADMIN_PASSWORD": PASSWORD}, env_file=tmp_path / "absent.env")

    assert error.value.problems == ["OVA_ADMIN_EMAIL: not a valid email address"]


@pytest.mark.parametrize("email", ["admin@example.org", "josé@example.org", " Admin@Example.org "])
def test_a_valid_admin_email_is_accepted(tmp_path: Path, email: str) -> None:
    settings = load_settings({"OVA_ADMIN_EMAIL": email, "OVA_ADMIN_PASSWORD": PASSWORD},
                             env_file=tmp_path / "absent.env")

    assert settings.auth.admin_email is not None and settings.auth.admin_email.strip() == email.strip()

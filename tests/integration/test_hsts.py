"""``Strict-Transport-Security`` is sent in production only: elsewhere the server runs over plain HTTP,
where a browser told to insist on HTTPS would lock itself out of the host."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ova.config import load_settings
from ova.entrypoints.app import create_app

HSTS = "max-age=31536000; includeSubDomains"
PRODUCTION = {"ENVIRONMENT": "production", "JWT_SECRET_KEY": "p" * 40, "ALLOW_SQLITE_IN_PRODUCTION": "true"}


@pytest.mark.parametrize(("environ", "expected"), [({}, None), ({"ENVIRONMENT": "staging"}, None),
                                                   (PRODUCTION, HSTS)])
async def test_hsts_only_in_production(tmp_path: Path, environ: dict[str, str], expected: str | None) -> None:
    app = create_app(load_settings({"SQLITE_PATH": str(tmp_path / "x.db"), **environ}, env_file=tmp_path / "none"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = [await client.get("/status"), await client.get("/docs"), await client.get("/nowhere")]
    assert [r.status_code for r in responses] == [200, 200, 404]
    for response in responses:
        assert response.headers.get("strict-transport-security") == expected
        assert response.headers["x-content-type-options"] == "nosniff"
    await app.state.container.engine().dispose()

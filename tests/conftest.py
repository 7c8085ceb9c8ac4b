from __future__ import annotations

from collections.abc import Iterator

import pytest

from ova.adapters.sqlalchemy import migrator
from tests.services import mariadb_database


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh, empty (not migrated) MariaDB database for this test."""
    with mariadb_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_mariadb_url() -> Iterator[str]:
    """One MariaDB database at the head revision, shared by the session; tests clean up after."""
    with mariadb_database() as url:
        migrator.upgrade(url)
        yield url

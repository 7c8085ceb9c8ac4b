"""External services the integration and contract tests use, and what to do when one is down.

A missing service skips its tests with the reason shown (``pytest -rs``), unless
``OVA_REQUIRE_SERVICES=1`` (CI): then it is a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pymysql
import pytest

MARIADB_HOST = os.environ.get("OVA_TEST_MARIADB_HOST", "127.0.0.1")
MARIADB_PORT = int(os.environ.get("OVA_TEST_MARIADB_PORT", "3306"))
MARIADB_USER = os.environ.get("OVA_TEST_MARIADB_USER", "root")
MARIADB_PASSWORD = os.environ.get("OVA_TEST_MARIADB_PASSWORD", "")


def services_required() -> bool:
    return os.environ.get("OVA_REQUIRE_SERVICES") == "1"


def require_service(name: str, error: BaseException) -> NoReturn:
    """Skip the test because ``name`` is unreachable, or fail it when services are required."""
    reason = f"{name} is not reachable ({type(error).__name__}: {error})"
    if services_required():
        pytest.fail(f"{reason}; OVA_REQUIRE_SERVICES=1 makes this a failure", pytrace=False)
    pytest.skip(reason)


def _mariadb_admin() -> pymysql.connections.Connection[pymysql.cursors.Cursor]:
    try:
        return pymysql.connect(
            host=MARIADB_HOST,
            port=MARIADB_PORT,
            user=MARIADB_USER,
            password=MARIADB_PASSWORD,
            connect_timeout=3,
            autocommit=True,
        )
    except pymysql.MySQLError as error:
        require_service(f"MariaDB at {MARIADB_HOST}:{MARIADB_PORT}", error)


@contextmanager
def mariadb_database() -> Iterator[str]:
    """A new, empty database ``ova_test_<hex>``; yields its ``mysql+aiomysql`` URL, then drops it."""
    name = f"ova_test_{secrets.token_hex(6)}"
    with _mariadb_admin() as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    try:
        credentials = MARIADB_USER + (f":{MARIADB_PASSWORD}" if MARIADB_PASSWORD else "")
        yield f"mysql+aiomysql://{credentials}@{MARIADB_HOST}:{MARIADB_PORT}/{name}"
    finally:
        with _mariadb_admin() as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def clear_mariadb_tables(url: str, tables: list[str]) -> None:
    database = url.rsplit("/", 1)[1]
    with _mariadb_admin() as admin, admin.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM `{database}`.`{table}`")

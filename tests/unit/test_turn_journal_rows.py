"""The turn journal's rows: what it hands the driver must be what SQLAlchemy itself would bind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import mysql, sqlite

from ova.adapters.sqlalchemy.column_types import UTCDateTime
from ova.adapters.sqlalchemy.tables import conversations
from ova.adapters.sqlalchemy.turn_journal import _APPEND_TURNS, _BUMP_CHAT, _Prepared, sqlite_datetime

SQLITE = sqlite.dialect()
aware = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                                                timezone(timedelta(hours=-8))]))


def sqlalchemy_binds(value: datetime) -> str:
    column = UTCDateTime()
    process = column.dialect_impl(SQLITE).bind_processor(SQLITE)
    assert process is not None
    return str(process(value))


@given(aware)
def test_a_date_is_written_as_sqlalchemy_would_write_it(value: datetime) -> None:
    assert sqlite_datetime(value) == sqlalchemy_binds(value)


def test_a_date_without_microseconds_keeps_them_all() -> None:
    assert sqlite_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02 03:04:05.000000"


def test_a_naive_date_is_refused_as_the_column_refuses_it() -> None:
    with pytest.raises(ValueError, match="naive"):
        sqlite_datetime(datetime(2026, 1, 2))
    assert sqlite_datetime(None) is None


def test_rows_follow_the_statements_parameter_order_and_fill_its_constants() -> None:
    at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    prepared = _Prepared(_BUMP_CHAT, SQLITE)
    rows = prepared.rows([{"b_id": "c1", "b_count": 2, "b_at": at, "b_title": "Hola", "b_owner": None,
                           "b_language": "en"}])
    by_name = dict(zip(prepared.names, rows[0], strict=True))
    assert by_name["b_id"] == "c1" and by_name["b_count"] == 2 and by_name["b_title"] == "Hola"
    assert by_name["b_owner"] is None and by_name["b_language"] == "en"
    assert by_name["b_at"] == "2026-05-06 05:08:09.123456"
    assert by_name["title_1"] == ""  # the statement's own constant (``WHEN title = ''``)


def test_on_mariadb_dates_go_through_the_columns_own_conversion() -> None:
    at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    prepared = _Prepared(_APPEND_TURNS, mysql.dialect(), ["chat_id", "speaker", "text", "created_at"])
    [row] = prepared.rows([{"chat_id": "c1", "speaker": "user", "text": "hola", "created_at": at}])
    assert row == ("c1", "user", "hola", datetime(2026, 5, 6, 5, 8, 9, 123456))


def test_a_statement_with_one_parameter_still_gets_rows_of_one_value() -> None:
    prepared = _Prepared(delete(conversations).where(conversations.c.id == bindparam("b_id")), SQLITE)
    assert prepared.rows([{"b_id": "c1"}, {"b_id": "c2"}]) == [("c1",), ("c2",)]

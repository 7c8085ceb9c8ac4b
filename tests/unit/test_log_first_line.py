"""What a log line keeps of an error: never a crash on an error without a message."""

from __future__ import annotations

from ova.domain.errors import DatabaseUnavailable
from ova.entrypoints.logs import first_line


def test_the_cause_s_first_line_is_kept_and_cut() -> None:
    error = DatabaseUnavailable()
    error.__cause__ = RuntimeError("line one " + "x" * 300 + "\nline two")
    assert first_line(error).startswith("line one") and len(first_line(error)) == 200


def test_an_error_without_a_message_is_named_by_its_type() -> None:
    error = DatabaseUnavailable()
    error.__cause__ = TimeoutError()
    assert first_line(error) == "TimeoutError"
    assert first_line(ValueError("")) == "ValueError"

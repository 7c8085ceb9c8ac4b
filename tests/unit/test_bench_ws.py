"""The chat benchmark's helpers and its bare baseline app (no timing thresholds)."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
import sqlalchemy
from starlette.testclient import TestClient

from bench.load import LoadResult
from bench.ws_ratio import (
    STORED_DB,
    bare_app,
    compressions,
    connections_possible,
    ends_reply,
    histogram_totals,
    kib_per_connection,
    logged_errors,
    merge,
    raise_nofile,
    split_evenly,
    stored_app,
    stream_timing,
    table,
)
from ova.adapters.sqlalchemy.tables import metadata


def a_result(samples: list[float], statuses: dict[str, int], errors: int = 0) -> LoadResult:
    return LoadResult(requests=len(samples), duration_s=1.0, rps=float(len(samples)), p50_ms=0.0, p90_ms=0.0,
                      p99_ms=0.0, max_ms=0.0, errors=errors, statuses=statuses, samples_ms=samples)


@pytest.mark.parametrize(("total", "parts", "shares"), [
    (10, 3, [4, 3, 3]), (2, 4, [1, 1]), (10_000, 2, [5_000, 5_000]), (0, 3, []), (5, 0, [5]),
])
def test_connections_are_split_into_shares_that_differ_by_at_most_one(total: int, parts: int,
                                                                        shares: list[int]) -> None:
    assert split_evenly(total, parts) == shares
    assert sum(shares) == total


def test_the_descriptor_limit_caps_the_connections_of_the_server_and_of_each_client() -> None:
    assert connections_possible(10_000, nofile=20_000, processes=2) == 10_000
    assert connections_possible(10_000, nofile=4_096, processes=4) == 4_096 - 512  # the server is the bottleneck
    assert connections_possible(10_000, nofile=300, processes=2) == 0


def test_raising_the_limit_never_goes_above_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    report = raise_nofile(soft)  # asking for what there is changes nothing
    assert report == {"soft_before": soft, "hard": hard, "soft": soft, "wanted": soft}


def test_a_reply_ends_with_typing_false_after_its_closing_frame() -> None:
    off = {"type": "typing", "is_typing": False}
    assert ends_reply(off, closing_seen=True)
    assert not ends_reply(off, closing_seen=False)  # e.g. after a refused frame from an earlier message
    assert not ends_reply({"type": "typing", "is_typing": True}, closing_seen=True)
    assert not ends_reply({"type": "text", "text": "hola"}, closing_seen=True)


def test_results_of_several_clients_pool_their_samples_and_statuses() -> None:
    merged = merge([a_result([1.0, 3.0], {"text": 2}), a_result([2.0, 4.0], {"text": 1, "error:busy": 1}, 1)],
                   elapsed_s=2.0)
    assert merged.requests == 4 and merged.rps == 2.0 and merged.errors == 1
    assert merged.statuses == {"error:busy": 1, "text": 3}
    assert (merged.p50_ms, merged.p99_ms, merged.max_ms) == (2.0, 4.0, 4.0)
    assert merged.samples_ms == []


def test_stream_timing_counts_from_the_send_to_the_first_piece_then_pieces_per_second() -> None:
    assert stream_timing(10.0, [10.5, 11.0, 11.5]) == {"ttft_s": 0.5, "tokens": 3, "tokens_per_s": 2.0}
    assert stream_timing(10.0, [10.25]) == {"ttft_s": 0.25, "tokens": 1, "tokens_per_s": None}
    assert stream_timing(10.0, []) == {"ttft_s": None, "tokens": 0, "tokens_per_s": None}


def test_memory_per_connection() -> None:
    assert kib_per_connection(100_000, 130_000, 1_000) == 30.0
    assert kib_per_connection(100_000, 130_000, 0) == 0.0


def test_compression_offers_are_parsed_in_order_without_repeats() -> None:
    assert compressions("deflate,none") == ("deflate", "none")
    assert compressions(" none , none ") == ("none",)
    with pytest.raises(SystemExit):
        compressions("gzip")


def test_a_table_aligns_columns_and_right_aligns_numbers() -> None:
    text = table(("server", "KiB/conn"), [("ova", "26.5"), ("bare", "25.1")])
    assert text.splitlines() == [
        "   server  KiB/conn",
        "   ------  --------",
        "   ova         26.5",
        "   bare        25.1",
    ]


def test_logged_errors_are_counted_by_the_last_line_of_each_traceback() -> None:
    log = "\n".join([
        "2026-11-25T07:11:44Z [error    ] chat answer failed chat_id=x",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in f',
        "    raise error.with_traceback(exc_info[2])",
        "sqlite3.OperationalError: database is locked",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached",
        "sqlite3.OperationalError: database is locked",
        "note: not an error",
    ])
    assert logged_errors(log) == {
        "sqlite3.OperationalError: database is locked": 2,
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached": 1,
    }


def test_the_bare_app_speaks_the_chat_protocol_with_nothing_behind_it() -> None:
    with TestClient(bare_app) as client, client.websocket_connect("/ws") as socket:
        assert socket.receive_json()["type"] == "connected"
        socket.send_json({"type": "text", "text": "hola"})
        frames = [socket.receive_json() for _ in range(3)]
        status = client.get("/status").json()
    assert frames[0] == {"type": "typing", "is_typing": True}
    assert frames[1]["type"] == "text" and frames[1]["text"] == "Respuesta a: hola"
    assert frames[2] == {"type": "typing", "is_typing": False}
    assert status["status"] == "online"


def test_the_stored_app_answers_like_the_bare_app_once_both_turns_are_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = tmp_path / "stored.db"
    engine = sqlalchemy.create_engine(f"sqlite:///{database}")
    metadata.create_all(engine)
    monkeypatch.setenv(STORED_DB, str(database))
    with TestClient(stored_app) as client, client.websocket_connect("/ws") as socket:
        chat_id = socket.receive_json()["chat_id"]
        for text in ("hola", "otra vez"):
            socket.send_json({"type": "text", "text": text})
            frames = [socket.receive_json() for _ in range(3)]
            assert [frame["type"] for frame in frames] == ["typing", "text", "typing"]
            assert frames[1]["text"] == f"Respuesta a: {text}"
    with engine.connect() as connection:
        stored = connection.execute(sqlalchemy.text(
            "SELECT speaker, text FROM chat_turns WHERE chat_id = :id ORDER BY id"), {"id": chat_id}).all()
        count = connection.execute(sqlalchemy.text(
            "SELECT message_count FROM conversations WHERE id = :id"), {"id": chat_id}).scalar_one()
    engine.dispose()
    assert [tuple(row) for row in stored] == [
        ("user", "hola"), ("assistant", "Respuesta a: hola"),
        ("user", "otra vez"), ("assistant", "Respuesta a: otra vez"),
    ]
    assert count == 4


def test_a_histogram_sum_and_count_are_read_from_the_metrics_text() -> None:
    metrics = "\n".join([
        "# HELP ova_chat_time_to_first_token_seconds From asking the model to its first piece of text.",
        'ova_chat_time_to_first_token_seconds_bucket{le="0.1"} 3.0',
        "ova_chat_time_to_first_token_seconds_count 4.0",
        "ova_chat_time_to_first_token_seconds_sum 0.42",
        "ova_chat_tokens_total 120.0",
    ])
    assert histogram_totals(metrics, "ova_chat_time_to_first_token_seconds") == (0.42, 4.0)
    assert histogram_totals(metrics, "missing") == (0.0, 0.0)

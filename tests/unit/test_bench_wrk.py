"""Reading wrk's report (bench.wrk_ab): the rate, and a run with failed answers refused."""

from __future__ import annotations

import pytest

from bench.wrk_ab import _ratios, order, requests_per_s

REPORT = """Running 8s test @ http://127.0.0.1:8000/status
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.02ms  512.11us  10.06ms   90.12%
    Req/Sec    15.95k   412.33    16.52k    88.00%
  127012 requests in 8.00s, 36.70MB read
Requests/sec:  15875.46
Transfer/sec:      4.59MB
"""


def test_the_rate_is_read_from_the_report() -> None:
    assert requests_per_s(REPORT) == pytest.approx(15875.46)


@pytest.mark.parametrize("failure", [
    "  Non-2xx or 3xx responses: 12\n", "  Socket errors: connect 0, read 3, write 0, timeout 0\n",
])
def test_a_run_with_failures_is_not_a_measurement(failure: str) -> None:
    with pytest.raises(RuntimeError):
        requests_per_s(REPORT.replace("Requests/sec", failure + "Requests/sec"))


def test_sides_alternate_and_ratios_pair_runs_of_the_same_round() -> None:
    assert order(["bare", "head", "base"], 0) == ["bare", "head", "base"]
    assert order(["bare", "head", "base"], 1) == ["base", "head", "bare"]
    assert _ratios({"a": [2.0, 3.0], "b": [1.0, 2.0]}, "a", "b") == [2.0, 1.5]


async def test_the_bare_reference_with_request_id_answers_as_the_bare_app_plus_the_header() -> None:
    import httpx

    from bench.bare_app import app, app_with_request_id

    answers = []
    for reference in (app, app_with_request_id):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=reference), base_url="http://b") as client:
            answers.append(await client.get("/status"))
    plain, with_id = answers
    assert plain.status_code == with_id.status_code == 200
    assert plain.json().keys() == with_id.json().keys()
    assert "x-request-id" not in plain.headers and len(with_id.headers["x-request-id"]) == 32

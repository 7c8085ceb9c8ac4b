"""The HTTP metrics as Prometheus scrapes them."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from ova.adapters.telemetry.http_metrics import HttpMetrics


def samples(metrics: HttpMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(metrics.registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_requests_are_counted_by_method_route_and_status() -> None:
    metrics = HttpMetrics()
    for status in (200, 200, 404):
        metrics.observe("GET", "/status", status, 0.0001)
    metrics.observe("POST", "/auth/login", 401, 0.2)

    found = samples(metrics)

    assert found[("ova_http_requests_total", (("method", "GET"), ("route", "/status"), ("status", "200")))] == 2
    assert found[("ova_http_requests_total", (("method", "GET"), ("route", "/status"), ("status", "404")))] == 1
    assert found[("ova_http_requests_total", (("method", "POST"), ("route", "/auth/login"), ("status", "401")))] == 1


def test_latency_buckets_are_cumulative_and_a_bound_counts_in_its_own_bucket() -> None:
    metrics = HttpMetrics()
    for seconds in (0.0005, 0.001, 0.003, 0.3, 42.0):
        metrics.observe("GET", "/x", 200, seconds)

    found = samples(metrics)

    def bucket(le: str) -> float:
        return found[("ova_http_request_duration_seconds_bucket", (("le", le), ("method", "GET"), ("route", "/x")))]

    assert [bucket(le) for le in ("0.001", "0.0025", "0.005", "0.25", "0.5", "10.0", "+Inf")] == [2, 2, 3, 3, 4, 4, 5]
    labels = (("method", "GET"), ("route", "/x"))
    assert found[("ova_http_request_duration_seconds_count", labels)] == 5
    assert abs(found[("ova_http_request_duration_seconds_sum", labels)] - 42.3045) < 1e-9

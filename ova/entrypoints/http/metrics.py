"""Prometheus metrics of the HTTP layer, in a registry of the app's own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "ova_http_requests_total", "HTTP requests by route template, method and status.",
            ("method", "route", "status"), registry=self.registry,
        )
        self.latency = Histogram(
            "ova_http_request_duration_seconds", "Time to answer an HTTP request.",
            ("method", "route"), buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.in_progress = Gauge(
            "ova_http_requests_in_progress", "HTTP requests being answered now.", registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

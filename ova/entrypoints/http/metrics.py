"""Prometheus metrics of the HTTP layer, in a registry of the app's own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

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

        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:  # labelled children are looked up once per (method, route, status)
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

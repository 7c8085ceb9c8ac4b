"""Prometheus metrics of the HTTP layer, in a registry of the app's own (one process; with several
workers, ``SharedHttpMetrics``).

Every request is counted, so counting must be cheap: plain dictionaries updated on the event loop,
turned into Prometheus families only when ``/metrics`` is scraped (``prometheus_client``'s own
counter and histogram take a lock per update, several microseconds a request).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LE_LABELS = (*(floatToGoString(bound) for bound in LATENCY_BUCKETS), "+Inf")  # type: ignore[no-untyped-call]
REQUESTS = "ova_http_requests_total"
REQUESTS_HELP = "HTTP requests by route template, method and status."
DURATION = "ova_http_request_duration_seconds"
DURATION_HELP = "Time to answer an HTTP request."


class HttpMetrics:
    """Requests by method, route template and status; latency by method and route template."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None, *, info: Collector | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        # per (method, route, status): how many requests fell in each latency bucket (the last one
        # past every bound), then the sum of their latencies
        self._observed: dict[tuple[str, str, int], list[float]] = {}
        self.registry.register(_HttpCollector(self))
        if info is not None:
            self.registry.register(info)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        observed = self._observed.get((method, route, status))
        if observed is None:
            observed = self._observed[(method, route, status)] = [0.0] * (len(LATENCY_BUCKETS) + 2)
        observed[bisect_left(LATENCY_BUCKETS, seconds)] += 1  # the first bound >= seconds, as Prometheus' "le"
        observed[-1] += seconds

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def families(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(REQUESTS, REQUESTS_HELP, labels=("method", "route", "status"))
        by_route: dict[tuple[str, str], list[float]] = {}
        for (method, route, status), observed in list(self._observed.items()):
            requests.add_metric((method, route, str(status)), sum(observed[:-1]))
            total = by_route.setdefault((method, route), [0.0] * len(observed))
            for index, value in enumerate(observed):
                total[index] += value
        yield requests
        duration = HistogramMetricFamily(DURATION, DURATION_HELP, labels=("method", "route"))
        for (method, route), latency in by_route.items():
            cumulative, buckets = 0.0, []
            for le, in_bucket in zip(LE_LABELS, latency[:-1], strict=True):
                cumulative += in_bucket
                buckets.append((le, cumulative))
            duration.add_metric((method, route), buckets, latency[-1])
        yield duration


class _HttpCollector(Collector):
    def __init__(self, metrics: HttpMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return self._metrics.families()

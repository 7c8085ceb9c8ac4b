"""The HTTP metrics of ``ova serve --workers N``: each worker writes its counts to files of its own in
the server's multiprocess directory (see ``multiprocess``), and a scrape of any worker merges every
worker's files, the chat's series included. Without this a scrape read the one worker that answered.

Each request updates three memory-mapped numbers in place (its count, its latency bucket, the latency
sum), without prometheus-client's per-value lock: requests are counted on the event loop, one at a
time. The files are laid out as prometheus-client's own, so its ``MultiProcessCollector`` reads them.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from pathlib import Path
from typing import Protocol, cast

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ova.adapters.telemetry.http_metrics import (
    DURATION,
    DURATION_HELP,
    LATENCY_BUCKETS,
    LE_LABELS,
    REQUESTS,
    REQUESTS_HELP,
)

_REQUESTS_NAME = REQUESTS.removesuffix("_total")  # prometheus-client's name of a counter's family


class _File(Protocol):
    """prometheus-client's ``MmapedDict``, as used here (it has no type hints)."""

    def write_value(self, key: str, value: float, timestamp: float) -> None: ...


def _open(path: Path) -> _File:
    return cast(_File, MmapedDict(str(path)))  # type: ignore[no-untyped-call]


class _Count:
    __slots__ = ("key", "value")

    def __init__(self, key: str) -> None:
        self.key = key
        self.value = 0.0


class _Latency:
    """One (method, route)'s histogram: a count per bucket (not cumulative: the collector adds them
    up) and the sum."""

    __slots__ = ("bucket_keys", "buckets", "sum", "sum_key")

    def __init__(self, method: str, route: str) -> None:
        labels = ["method", "route", "le"]
        self.bucket_keys = [mmap_key(DURATION, DURATION + "_bucket", labels, [method, route, le], DURATION_HELP)
                            for le in LE_LABELS]
        self.buckets = [0.0] * len(LE_LABELS)
        self.sum_key = mmap_key(DURATION, DURATION + "_sum", ["method", "route"], [method, route], DURATION_HELP)
        self.sum = 0.0


class SharedHttpMetrics:
    """``HttpMetrics`` for several worker processes of one server."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, directory: Path, *, registry: CollectorRegistry | None = None,
                 info: Collector | None = None, pid: int | None = None) -> None:
        # the chat's series register here; in multiprocess mode their values go to the directory too
        self.registry = registry or CollectorRegistry()
        pid = os.getpid() if pid is None else pid
        self._requests_file = _open(directory / f"counter_http_{pid}.db")
        self._latency_file = _open(directory / f"histogram_http_{pid}.db")
        self._requests: dict[tuple[str, str, int], _Count] = {}
        self._latencies: dict[tuple[str, str], _Latency] = {}
        self._scraped = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(self._scraped, path=str(directory))  # type: ignore[no-untyped-call]
        if info is not None:
            self._scraped.register(info)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        count = self._requests.get((method, route, status))
        if count is None:
            key = mmap_key(_REQUESTS_NAME, REQUESTS, ["method", "route", "status"], [method, route, str(status)],
                           REQUESTS_HELP)
            count = self._requests[(method, route, status)] = _Count(key)
        count.value += 1
        self._requests_file.write_value(count.key, count.value, 0.0)
        latency = self._latencies.get((method, route))
        if latency is None:
            latency = self._latencies[(method, route)] = _Latency(method, route)
            for key in latency.bucket_keys:  # every bucket from the start, as a histogram has
                self._latency_file.write_value(key, 0.0, 0.0)
        index = bisect_left(LATENCY_BUCKETS, seconds)  # the first bound >= seconds, as Prometheus' "le"
        latency.buckets[index] += 1
        latency.sum += seconds
        self._latency_file.write_value(latency.bucket_keys[index], latency.buckets[index], 0.0)
        self._latency_file.write_value(latency.sum_key, latency.sum, 0.0)

    def exposition(self) -> bytes:
        """Every worker's series, those of workers that have died included (counters never go back)."""
        return generate_latest(self._scraped)

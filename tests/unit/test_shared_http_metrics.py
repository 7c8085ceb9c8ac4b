"""The HTTP metrics of several workers: each writes its own files, a scrape of any reads them all."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families

from ova.adapters.telemetry.http_metrics import HttpMetrics
from ova.adapters.telemetry.instance_info import InstanceInfo
from ova.adapters.telemetry.multiprocess import forget_dead_process
from ova.adapters.telemetry.shared_http_metrics import SharedHttpMetrics

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
STATUS = (("method", "GET"), ("route", "/status"), ("status", "200"))


def samples(exposition: bytes) -> Samples:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(exposition.decode()) for s in family.samples}


def test_a_scrape_of_either_worker_counts_the_requests_of_both(tmp_path: Path) -> None:
    first, second = SharedHttpMetrics(tmp_path, pid=101), SharedHttpMetrics(tmp_path, pid=102)
    for _ in range(3):
        first.observe("GET", "/status", 200, 0.002)
    second.observe("GET", "/status", 200, 0.004)

    for worker in (first, second):
        assert samples(worker.exposition())[("ova_http_requests_total", STATUS)] == 4


def test_the_series_are_those_one_process_reports(tmp_path: Path) -> None:
    """Same names, labels, cumulative buckets, counts and sums as ``HttpMetrics`` (but ``_created``,
    which multiprocess mode does not keep)."""
    alone, shared = HttpMetrics(), SharedHttpMetrics(tmp_path, pid=101)
    for method, route, status, seconds in [("GET", "/x", 200, 0.0005), ("GET", "/x", 200, 0.001),
                                           ("GET", "/x", 404, 0.3), ("POST", "/y", 201, 42.0)]:
        alone.observe(method, route, status, seconds)
        shared.observe(method, route, status, seconds)

    expected = {key: value for key, value in samples(alone.exposition()).items() if not key[0].endswith("_created")}
    found = samples(shared.exposition())

    assert found.keys() == expected.keys()
    assert all(abs(found[key] - value) < 1e-9 for key, value in expected.items())


def test_a_dead_workers_counts_stay_and_its_live_gauges_go(tmp_path: Path) -> None:
    dead = SharedHttpMetrics(tmp_path, pid=101)
    dead.observe("GET", "/status", 200, 0.002)
    gauge = MmapedDict(str(tmp_path / "gauge_livesum_101.db"))  # as prometheus-client writes a chat gauge
    gauge.write_value(mmap_key("ova_ws_connections_open", "ova_ws_connections_open", (), (), "Open."), 2.0, 0.0)
    gauge.close()
    replacement = SharedHttpMetrics(tmp_path, pid=103)
    assert samples(replacement.exposition())[("ova_ws_connections_open", ())] == 2

    forget_dead_process(101, tmp_path)
    replacement.observe("GET", "/status", 200, 0.002)

    found = samples(replacement.exposition())
    assert found[("ova_http_requests_total", STATUS)] == 2
    assert ("ova_ws_connections_open", ()) not in found


def test_the_scrape_names_the_instance_that_answered(tmp_path: Path) -> None:
    info = InstanceInfo("host-a:8000", "1.2.3")
    for metrics in (HttpMetrics(info=info), SharedHttpMetrics(tmp_path, info=InstanceInfo("host-a:8000", "1.2.3"))):
        found = samples(metrics.exposition())
        assert found[("ova_instance_info", (("instance", "host-a:8000"), ("version", "1.2.3")))] == 1

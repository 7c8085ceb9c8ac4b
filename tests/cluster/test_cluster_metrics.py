"""Item 4: each host's ``/metrics`` counts all its workers, whichever worker answers the scrape, and says
which host it is (``ova_instance_info``), so Prometheus scraping every host sees the whole cluster."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.cluster.rig import PORT, Cluster, Host

pytestmark = pytest.mark.cluster
ROUTE = "/status/live"


def _scrape(host: Host) -> list[tuple[str, dict[str, str], float]]:
    with httpx.Client(base_url=host.base, timeout=10) as client:  # a new connection: any worker
        response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(response.text)
            for s in family.samples]


def _requests(samples: list[tuple[str, dict[str, str], float]]) -> float:
    return sum(value for name, labels, value in samples
               if name == "ova_http_requests_total" and labels.get("route") == ROUTE)


def test_every_scrape_of_a_host_counts_the_requests_all_its_workers_served(cluster: Cluster) -> None:
    host = cluster.hosts[0]
    before = {_requests(_scrape(host)) for _ in range(6)}
    assert len(before) == 1, f"scrapes disagree: {before}"
    for _ in range(40):
        with httpx.Client(base_url=host.base, timeout=10) as client:  # a new connection each: both workers
            assert client.get(ROUTE).status_code == 200
    after = {_requests(_scrape(host)) for _ in range(6)}
    assert after == {before.pop() + 40}


def test_each_host_names_itself_in_its_metrics(cluster: Cluster) -> None:
    for host in cluster.hosts:
        info = [labels for name, labels, _ in _scrape(host) if name == "ova_instance_info"]
        assert [labels["instance"] for labels in info] == [f"{host.name}:{PORT}"]

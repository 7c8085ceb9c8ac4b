"""``ova_instance_info``: which server a scrape reached."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import InfoMetricFamily, Metric
from prometheus_client.registry import Collector

INSTANCE_INFO = "ova_instance"


class InstanceInfo(Collector):
    """``ova_instance_info{instance="<host>:<port>",version="..."} 1``. Prometheus adds its own
    ``instance`` label (the scrape target) to every series; this one says which server answered as the
    server knows itself (``OVA_INSTANCE``), so a scrape through a load balancer, or a target known by
    an address that is not the host's name, can still be told apart. A collector rather than
    prometheus_client's ``Info``, which multiprocess mode does not support."""

    def __init__(self, instance: str, version: str) -> None:
        self._labels = {"instance": instance, "version": version}

    def collect(self) -> Iterator[Metric]:
        yield InfoMetricFamily(INSTANCE_INFO, "The server that answered: OVA_INSTANCE and ova's version.",
                               value=self._labels)

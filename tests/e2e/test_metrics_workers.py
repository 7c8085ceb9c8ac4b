"""``/metrics`` with ``ova serve --workers 2``: every scrape counts the whole server, whichever worker
answers it, and a worker killed and restarted takes none of the counts with it."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.chat_client import chat, closing_frame
from tests.e2e.server import admin_headers, running_server, server_env
from tests.e2e.workers import clients_on_two_workers

ROUTE = "/status/live"  # a route nothing else calls: the start-up wait polls /status


def scrape(client: httpx.Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def requests_to(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], route: str) -> float:
    return sum(value for (name, labels), value in samples.items()
               if name == "ova_http_requests_total" and ("route", route) in labels)


def gauge(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str) -> float:
    return samples[(name, frozenset())]


def worker_pid(client: httpx.Client, operator: dict[str, str]) -> int:
    return int(client.get("/status", headers=operator).json()["instance"].rsplit(":", 1)[1])


def client_on_a_new_worker(base: str, operator: dict[str, str], known: set[int], timeout_s: float) -> httpx.Client:
    """A keep-alive client on a worker that is none of ``known`` (the supervisor's replacement)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        client = httpx.Client(base_url=base, timeout=30)
        try:
            if worker_pid(client, operator) not in known:
                return client
        except httpx.TransportError:
            pass
        client.close()
        time.sleep(0.1)
    raise AssertionError(f"no new worker answered within {timeout_s} s")


def test_every_scrape_counts_both_workers_and_a_killed_worker_keeps_its_counts(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    with running_server(env, workers=2) as base:
        operator = admin_headers(base)
        a, b = clients_on_two_workers(base)
        pids = {worker_pid(a, operator), worker_pid(b, operator)}
        try:
            for client in (a, b) * 20:  # 20 requests served by each worker
                assert client.get(ROUTE).status_code == 200
            for client in (a, b, a, b):
                assert requests_to(scrape(client), ROUTE) == 40

            with chat(base) as talker:  # on either worker: the open-connection gauge adds up the live ones
                assert closing_frame(talker.ask("hola"))["type"] == "text"
                for client in (a, b):
                    samples = scrape(client)
                    assert gauge(samples, "ova_ws_connections_open") == 1
                    assert samples[("ova_ws_connections_total", frozenset())] == 1

            info = next(labels for (name, labels), _ in scrape(b).items() if name == "ova_instance_info")
            assert dict(info)["instance"] == f"{socket.gethostname()}:{urlsplit(base).port}"

            killed = worker_pid(a, operator)
            os.kill(killed, signal.SIGKILL)
            replacement = client_on_a_new_worker(base, operator, pids, timeout_s=60)
            try:
                for client in (b, replacement, b, replacement):
                    samples = scrape(client)
                    assert requests_to(samples, ROUTE) == 40, "the killed worker's 20 requests still count"
                    assert samples[("ova_ws_connections_total", frozenset())] == 1
                    assert gauge(samples, "ova_ws_connections_open") == 0
            finally:
                replacement.close()
        finally:
            a.close()
            b.close()

"""Connections that never finish their request headers are closed (issue 12, item 13): one that sends
nothing, half a request line, a request line and a header, or a byte every so often is closed once
``HTTP_HEADER_TIMEOUT_S`` has passed, in ``ova serve`` and with ``--workers 2``, while ordinary requests
are answered meanwhile; and ``HTTP_MAX_CONNECTIONS`` caps what one process holds. The waits are
generous bounds on "closed", not timings."""

from __future__ import annotations

import http.client
import select
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import running_server, server_env

WITHIN_S = 30.0  # far beyond the 1 s deadline: only a connection held for good fails
PARTIAL_REQUESTS = (b"", b"GE", b"GET /status HTTP/1.1\r\nHost: ova\r\n", b"POST /auth/login HTTP/1.1\r\nHost: o")


def address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


@contextmanager
def opened(base: str, first_bytes: bytes) -> Iterator[socket.socket]:
    with socket.create_connection(address(base), timeout=10) as sock:
        if first_bytes:
            sock.sendall(first_bytes)
        yield sock


def closed_by_server(sock: socket.socket, *, trickle: bool = False, within_s: float = WITHIN_S) -> bool:
    """Whether the server closes ``sock`` within ``within_s`` (sending, with ``trickle``, one more
    header byte every 0.2 s meanwhile, as a slow-loris client does)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.2)
        try:
            if readable and not sock.recv(4096):
                return True
            if trickle:
                sock.sendall(b"X")
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def base(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("slow-headers")
    with running_server(server_env(tmp, {"HTTP_HEADER_TIMEOUT_S": "1"}), workers=request.param) as url:
        yield url


def test_connections_whose_headers_never_end_are_closed_while_requests_are_answered(base: str) -> None:
    with ExitStack() as stack:
        slow = [stack.enter_context(opened(base, first)) for first in PARTIAL_REQUESTS * 5]

        assert httpx.get(base + "/status", timeout=10).status_code == 200

        assert all(closed_by_server(sock) for sock in slow)
    assert httpx.get(base + "/status", timeout=10).status_code == 200


def test_a_client_trickling_header_bytes_is_closed(base: str) -> None:
    with opened(base, b"GET /status HTTP/1.1\r\nX-Slow: ") as sock:
        assert closed_by_server(sock, trickle=True)


def test_a_keep_alive_connection_is_closed_when_its_next_request_stalls(base: str) -> None:
    host, port = address(base)
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", "/status")
        first = connection.getresponse()
        first.read()
        assert first.status == 200  # a request whose headers came in time is answered on this connection
        assert connection.sock is not None
        connection.sock.sendall(b"GET /status HTTP/1.1\r\nHost: ")
        assert closed_by_server(connection.sock)
    finally:
        connection.close()


def test_past_http_max_connections_new_requests_get_503(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"HTTP_MAX_CONNECTIONS": "4", "HTTP_HEADER_TIMEOUT_S": "60"})
    with running_server(env) as url:
        with ExitStack() as stack:
            for _ in range(4):
                stack.enter_context(opened(url, b""))
            statuses = []
            for _ in range(50):  # as soon as the server has accepted them all
                statuses.append(httpx.get(url + "/status", timeout=10).status_code)
                if statuses[-1] == 503:
                    break
                time.sleep(0.1)
            assert statuses[-1] == 503, statuses
        for _ in range(50):  # the idle connections are gone: requests are answered again
            if httpx.get(url + "/status", timeout=10).status_code == 200:
                return
            time.sleep(0.1)
        pytest.fail("/status still refused after the idle connections closed")

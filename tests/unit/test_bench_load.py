"""The benchmark's load generator counts requests and parses responses correctly (no timing thresholds)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bench.load import LoadSpec, build_request, chunked_body_length, percentile, run_load

ROOT = Path(__file__).resolve().parents[2]
BODY = b'{"status": "online"}'


class TinyServer:
    """A minimal keep-alive HTTP/1.1 server; each path answers with a different framing."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.bodies: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                _, path, _ = lines[0].split(" ")
                length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                               if line.lower().startswith("content-length:")), 0)
                if length:
                    self.bodies.append(await reader.readexactly(length))
                self.requests[path] += 1
                writer.write(self._response(path))
                await writer.drain()
                if path == "/close":
                    return
        finally:
            writer.close()

    @staticmethod
    def _response(path: str) -> bytes:
        if path == "/chunked":  # an informational response first, then a chunked body with a trailer
            half = len(BODY) // 2
            chunks = f"{half:x}\r\n".encode() + BODY[:half] + f"\r\n{len(BODY) - half:x};ext=1\r\n".encode()
            chunks += BODY[half:] + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
            return (b"HTTP/1.1 100 Continue\r\n\r\n"
                    b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
        if path == "/close":  # no length: the body ends with the connection
            return b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + BODY
        if path == "/missing":
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
            len(BODY), BODY)


@pytest.fixture
async def tiny_server() -> AsyncIterator[TinyServer]:
    server = TinyServer()
    await server.start()
    yield server
    await server.stop()


def spec(server: TinyServer, path: str, **overrides: Any) -> LoadSpec:
    request = build_request("GET", path, f"127.0.0.1:{server.port}")
    base = LoadSpec("127.0.0.1", server.port, request, connections=4, duration_s=0.5, warmup_s=0.1, grace_s=2.0)
    return replace(base, **overrides)


async def test_closed_loop_counts_every_answered_request(tiny_server: TinyServer) -> None:
    result = await run_load(spec(tiny_server, "/status"))

    assert result.requests > 0
    assert result.errors == 0
    assert result.statuses == {"200": result.requests}
    assert tiny_server.requests["/status"] >= result.requests  # the warm-up is served but not counted
    assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms
    assert result.rps == result.requests / result.duration_s
    assert result.samples_ms == []


async def test_chunked_bodies_and_informational_responses_are_read_whole(tiny_server: TinyServer) -> None:
    result = await run_load(spec(tiny_server, "/chunked"))

    assert result.requests > 0
    assert result.errors == 0
    assert result.statuses == {"201": result.requests}


async def test_a_body_ended_by_the_connection_counts_and_the_client_reconnects(tiny_server: TinyServer) -> None:
    result = await run_load(spec(tiny_server, "/close", connections=2))

    assert result.requests > 1
    assert result.errors == 0
    assert result.statuses == {"200": result.requests}


async def test_error_statuses_are_counted_not_treated_as_failures(tiny_server: TinyServer) -> None:
    result = await run_load(spec(tiny_server, "/missing"))

    assert result.errors == 0
    assert result.statuses == {"404": result.requests}


async def test_fixed_rate_sends_on_a_schedule_and_keeps_samples(tiny_server: TinyServer) -> None:
    result = await run_load(spec(tiny_server, "/status", rate=40.0, duration_s=0.5, keep_samples=True))

    assert 0 < result.requests <= 40 * 0.5 + 4  # the schedule, not the server, sets the count
    assert result.errors == 0
    assert len(result.samples_ms) == result.requests
    assert result.samples_ms == sorted(result.samples_ms)


async def test_a_refused_connection_is_an_error() -> None:
    server = TinyServer()
    await server.start()
    await server.stop()  # nothing listens on this port any more

    result = await run_load(spec(server, "/status", connections=1, duration_s=0.3))

    assert result.requests == 0
    assert result.errors > 0


async def test_the_command_line_runs_in_its_own_process_and_prints_json(tiny_server: TinyServer) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load", "--json", "--url", f"http://127.0.0.1:{tiny_server.port}/login",
        "--method", "POST", "--header", "Content-Type: application/json", "--body", '{"a": 1}',
        "--connections", "2", "--duration", "0.5", "--warmup", "0.1",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()

    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    assert result["requests"] > 0
    assert result["errors"] == 0
    assert result["statuses"] == {"200": result["requests"]}
    assert tiny_server.bodies and set(tiny_server.bodies) == {b'{"a": 1}'}


def test_requests_are_well_formed_http_1_1() -> None:
    assert build_request("GET", "/status", "h:1") == b"GET /status HTTP/1.1\r\nHost: h:1\r\n\r\n"
    assert build_request("POST", "/x", "h", [("A", "b")], b"{}") == (
        b"POST /x HTTP/1.1\r\nHost: h\r\nA: b\r\nContent-Length: 2\r\n\r\n{}")


def test_chunked_length_waits_for_the_whole_body() -> None:
    body = b"3\r\nabc\r\n0\r\n\r\n"
    assert chunked_body_length(body) == len(body)
    assert chunked_body_length(body + b"next") == len(body)
    for cut in range(len(body)):
        assert chunked_body_length(body[:cut]) is None


def test_percentiles_use_the_nearest_rank() -> None:
    values = [float(value) for value in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([], 99) == 0

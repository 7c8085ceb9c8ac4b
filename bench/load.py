"""A lean HTTP/1.1 keep-alive load generator, run in its own process.

Each of N connections sends one request, reads the whole response (status line, then a body sized by
``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the connection) and sends the next one,
for a warm-up and then a measured window. Requests are hand-written bytes and responses are parsed by an
``asyncio.Protocol`` (lower overhead than streams, so the client is rarely the bottleneck).

Two modes:

* closed loop (default): every connection sends as fast as the server answers; the report's rps is
  the throughput.
* fixed rate (``--rate R``): R requests per second in all, spread over the connections on a fixed
  schedule; latency is measured from the *scheduled* send time, so a stalled server is not hidden by
  a prober that waits for it (coordinated omission).

Only requests that finish inside the measured window count. ``errors`` counts transport and protocol
failures and requests still unanswered at the end; HTTP statuses are counted separately.

    python -m bench.load --url http://127.0.0.1:8000/status --connections 32 --duration 5 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

_CHUNKED = -1
_UNTIL_CLOSE = -2
_RECONNECT_BACKOFF_S = 0.01


class ProtocolError(Exception):
    """The server's bytes are not an HTTP/1.1 response this client understands."""


@dataclass(frozen=True)
class LoadSpec:
    host: str
    port: int
    request: bytes
    connections: int = 32
    duration_s: float = 5.0
    warmup_s: float = 1.0
    rate: float | None = None
    grace_s: float = 5.0
    keep_samples: bool = False


@dataclass
class LoadResult:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    statuses: dict[str, int]
    samples_ms: list[float] = field(default_factory=list)

    def summary(self) -> str:
        statuses = ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        return (f"{self.requests} requests in {self.duration_s:.1f} s: {self.rps:.0f} req/s, "
                f"p50 {self.p50_ms:.2f} ms, p90 {self.p90_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, "
                f"max {self.max_ms:.2f} ms, errors {self.errors}, statuses {{{statuses}}}")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadResult:
        return cls(**data)


def build_request(
    method: str, path: str, host: str, headers: Iterable[tuple[str, str]] = (), body: bytes = b""
) -> bytes:
    """The raw bytes of one keep-alive HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def chunked_body_length(buffer: bytes | bytearray) -> int | None:
    """How many bytes of ``buffer`` a complete chunked body takes (trailers included), or None if incomplete."""
    pos = 0
    while True:
        eol = buffer.find(b"\r\n", pos)
        if eol < 0:
            return None
        try:
            size = int(bytes(buffer[pos:eol]).split(b";", 1)[0].strip(), 16)
        except ValueError as error:
            raise ProtocolError("bad chunk size") from error
        pos = eol + 2
        if size == 0:
            while True:  # optional trailers, then an empty line
                eol = buffer.find(b"\r\n", pos)
                if eol < 0:
                    return None
                if eol == pos:
                    return pos + 2
                pos = eol + 2
        if len(buffer) < pos + size + 2:
            return None
        pos += size + 2


class _Connection(asyncio.Protocol):
    """One keep-alive connection with at most one request in flight."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[int] | None = None
        self._status: int | None = None
        self._body_length = 0
        self._close_after = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            self._parse()
        except (ProtocolError, ValueError) as error:
            self._fail(ProtocolError(str(error)))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._status is not None and self._body_length == _UNTIL_CLOSE:
            waiter.set_result(self._status)
        else:
            waiter.set_exception(ConnectionError(f"connection lost: {exc}"))

    async def roundtrip(self, request: bytes) -> int:
        if self.closed or self._transport is None:
            raise ConnectionError("connection closed")
        self._waiter = asyncio.get_running_loop().create_future()
        self._status = None
        self._buffer.clear()
        self._transport.write(request)
        return await self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _parse(self) -> None:
        waiter = self._waiter
        while waiter is not None and not waiter.done():
            if self._status is None:
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self._buffer[:end])
                del self._buffer[:end + 4]
                self._read_head(head)
                if self._status is None:  # an informational 1xx response: the real one follows
                    continue
            if self._body_length == _UNTIL_CLOSE:
                return
            if self._body_length == _CHUNKED:
                consumed = chunked_body_length(self._buffer)
                if consumed is None:
                    return
            else:
                if len(self._buffer) < self._body_length:
                    return
                consumed = self._body_length
            del self._buffer[:consumed]
            waiter.set_result(self._status)
            if self._close_after:
                self.close()
            return

    def _read_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ProtocolError(f"bad status line {lines[0][:80]!r}")
        status = int(parts[1])
        if 100 <= status < 200:
            return
        length: int | None = None
        chunked = False
        close = parts[0] == b"HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower() or (close and b"keep-alive" not in value.lower())
        if chunked:
            self._body_length = _CHUNKED
        elif length is not None:
            self._body_length = length
        elif status in (204, 304):
            self._body_length = 0
        else:
            self._body_length = _UNTIL_CLOSE
            close = True
        self._close_after = close
        self._status = status

    def _fail(self, error: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self.close()


@dataclass
class _Tally:
    measure_from: float
    ends: float
    samples: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0

    def counts(self, finished: float) -> bool:
        return self.measure_from <= finished < self.ends


async def _connect(host: str, port: int) -> _Connection:
    _, connection = await asyncio.get_running_loop().create_connection(_Connection, host, port)
    return connection


async def _worker(spec: LoadSpec, index: int, started: float, tally: _Tally) -> None:
    connection: _Connection | None = None
    interval = spec.connections / spec.rate if spec.rate else 0.0
    next_at = started + index * (interval / spec.connections)
    try:
        while True:
            if spec.rate:
                if next_at >= tally.ends:
                    return
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                scheduled = next_at
                next_at += interval
            else:
                scheduled = time.perf_counter()
                if scheduled >= tally.ends:
                    return
            try:
                if connection is None or connection.closed:
                    connection = await _connect(spec.host, spec.port)
                status = await connection.roundtrip(spec.request)
            except (OSError, ProtocolError):  # ConnectionError is an OSError
                if tally.counts(time.perf_counter()):
                    tally.errors += 1
                if connection is not None:
                    connection.close()
                connection = None
                await asyncio.sleep(_RECONNECT_BACKOFF_S)
                continue
            finished = time.perf_counter()
            if tally.counts(finished):
                tally.samples.append(finished - scheduled)
                tally.statuses[status] += 1
    finally:
        if connection is not None:
            connection.close()


async def run_load(spec: LoadSpec) -> LoadResult:
    """Runs the load described by ``spec`` on the running event loop and reports what was measured."""
    if spec.connections < 1 or spec.duration_s <= 0 or (spec.rate is not None and spec.rate <= 0):
        raise ValueError("connections, duration and rate must be positive")
    started = time.perf_counter()
    tally = _Tally(measure_from=started + spec.warmup_s, ends=started + spec.warmup_s + spec.duration_s)
    tasks = [asyncio.create_task(_worker(spec, index, started, tally)) for index in range(spec.connections)]
    done, pending = await asyncio.wait(tasks, timeout=spec.warmup_s + spec.duration_s + spec.grace_s)
    for task in pending:  # still waiting for an answer long after the end: a stalled request
        task.cancel()
        tally.errors += 1
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        task.result()  # a bug in the client must not pass for a measurement
    samples = sorted(value * 1000 for value in tally.samples)
    return LoadResult(
        requests=len(samples),
        duration_s=spec.duration_s,
        rps=len(samples) / spec.duration_s,
        p50_ms=percentile(samples, 50),
        p90_ms=percentile(samples, 90),
        p99_ms=percentile(samples, 99),
        max_ms=samples[-1] if samples else 0.0,
        errors=tally.errors,
        statuses={str(code): count for code, count in sorted(tally.statuses.items())},
        samples_ms=[round(value, 4) for value in samples] if spec.keep_samples else [],
    )


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="http://host:port/path (plain HTTP only)")
    parser.add_argument("--method", default="GET")
    parser.add_argument("-H", "--header", action="append", type=_header, default=[], help="'Name: value'")
    parser.add_argument("--body", default="", help="request body (sent as UTF-8)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds, after the warm-up")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=None, help="requests/s in all (default: as fast as possible)")
    parser.add_argument("--grace", type=float, default=5.0,
                        help="seconds to wait for answers after the end before counting them as errors")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    parser.add_argument("--nice", type=int, default=0, help="lower this process's priority by this much")
    parser.add_argument("--samples", action="store_true", help="include every latency in the JSON")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = urlsplit(args.url)
    if url.scheme != "http" or not url.hostname:
        raise SystemExit("only http://host:port/path URLs are supported")
    port = url.port or 80
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    host_header = url.netloc
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    if args.nice:
        os.nice(args.nice)
    spec = LoadSpec(
        host=url.hostname, port=port,
        request=build_request(args.method.upper(), path, host_header, args.header, args.body.encode()),
        connections=args.connections, duration_s=args.duration, warmup_s=args.warmup, rate=args.rate,
        grace_s=args.grace, keep_samples=args.samples,
    )
    result = _run(spec)
    print(json.dumps(asdict(result)) if args.json else result.summary())
    return 0


def _run(spec: LoadSpec) -> LoadResult:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(run_load(spec))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run_load(spec))


if __name__ == "__main__":
    sys.exit(main())

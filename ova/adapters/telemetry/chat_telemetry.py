"""What the chat reports: Prometheus series (with several workers, summed over them: see
``multiprocess``), and the shared numbers that ``/status/websocket`` sums over every worker: totals
as shared counters, and what is open now (connections, answers being generated) as this process's
lease, renewed every third of its lifetime, so that a process killed without a word stops counting
once its lease runs out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ova.application.ports.shared_state import Counters, Leases

log = structlog.get_logger("ova.chat")

ACTIVE_CONNECTIONS = "active_connections"
TOTAL_CONNECTIONS = "total_connections"
MESSAGES_PROCESSED = "messages_processed"
ACTIVE_GENERATIONS = "active_generations"

TTFT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RATE_BUCKETS = (1, 5, 10, 25, 50, 100, 150, 250, 500, 1000)


HELD = (ACTIVE_CONNECTIONS, ACTIVE_GENERATIONS)
"""The numbers a process holds by lease (the rest are counters)."""


class ChatTelemetry:
    def __init__(
        self,
        counters: Counters,
        registry: CollectorRegistry | None = None,
        *,
        leases: Leases | None = None,
        holder: str = "",
        lease_ttl_s: float = 30.0,
    ) -> None:
        self.counters = counters
        self._leases = leases
        self._holder = holder
        self._lease_ttl_s = lease_ttl_s
        self._held = dict.fromkeys(HELD, 0)
        self._lease_changed = False
        self._renewer: asyncio.Task[None] | None = None
        registry = registry or CollectorRegistry()
        # livesum: with several workers (multiprocess mode) a scrape adds up the live workers' numbers,
        # and a worker that died takes its connections and answers with it; one process ignores it
        self.connections = Gauge("ova_ws_connections_open", "Open chat WebSocket connections.",
                                 registry=registry, multiprocess_mode="livesum")
        self.connections_total = Counter("ova_ws_connections_total", "Chat WebSocket connections accepted.",
                                         registry=registry)
        self.messages = Counter("ova_ws_messages_total", "User messages by outcome (answered or an error code).",
                                ("outcome",), registry=registry)
        self.generations = Gauge("ova_chat_generations_active", "Answers being generated now.",
                                 registry=registry, multiprocess_mode="livesum")
        self.first_token = Histogram("ova_chat_time_to_first_token_seconds",
                                     "From asking the model to its first piece of text.", buckets=TTFT_BUCKETS,
                                     registry=registry)
        self.tokens_per_second = Histogram("ova_chat_tokens_per_second",
                                           "Pieces of text (tokens) per second after the first one.",
                                           buckets=RATE_BUCKETS, registry=registry)
        self.tokens = Counter("ova_chat_tokens_total", "Pieces of text (tokens) generated.", registry=registry)
        self._deltas: dict[str, int] = {}
        self._by_outcome: dict[str, Counter] = {}
        self._publisher: asyncio.Task[None] | None = None

    def _add(self, name: str, amount: int) -> None:
        """Shared numbers change in batches: what changes while one batch is published (a Redis
        round trip with several workers) goes out with the next, and a +1 and a -1 in the same batch
        cost nothing. The first change after a quiet spell is published on the next loop turn."""
        if self._leases is not None and name in self._held:
            self._held[name] += amount
            self._lease_changed = True
            if self._renewer is None:
                self._renewer = asyncio.get_running_loop().create_task(self._renew())
        else:
            self._deltas[name] = self._deltas.get(name, 0) + amount
        if self._publisher is None:
            self._publisher = asyncio.get_running_loop().create_task(self._publish())

    async def _publish(self) -> None:
        try:
            while self._deltas or self._lease_changed:
                if self._lease_changed:
                    self._lease_changed = False
                    await self._hold()
                deltas, self._deltas = self._deltas, {}
                for name, amount in deltas.items():
                    if amount:
                        await self._publish_one(name, amount)
        finally:
            self._publisher = None

    async def _hold(self) -> None:
        if self._leases is None:
            return
        try:
            await self._leases.hold(self._holder, dict(self._held), ttl_s=self._lease_ttl_s)
        except Exception as error:  # counting must never break a conversation
            log.warning("chat lease not renewed", error=str(error)[:200])

    async def _renew(self) -> None:
        """Renew the lease every third of its lifetime, for as long as the process lives."""
        while True:
            await asyncio.sleep(self._lease_ttl_s / 3)
            await self._hold()

    async def _publish_one(self, name: str, amount: int) -> None:
        try:
            await self.counters.add(name, amount)
        except Exception as error:  # counting must never break a conversation
            log.warning("shared counter not updated", counter=name, error=str(error)[:200])

    async def flush(self) -> None:
        """Wait until every change so far is published."""
        while self._publisher is not None:
            await asyncio.wait({self._publisher})

    async def close(self) -> None:
        """At shutdown: publish what is left, stop renewing, and give the lease back."""
        await self.flush()
        if self._renewer is not None:
            self._renewer.cancel()
            self._renewer = None
        if self._leases is not None:
            try:
                await self._leases.release(self._holder)
            except Exception as error:  # the lease then runs out by itself
                log.warning("chat lease not released", error=str(error)[:200])

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[None]:
        self.connections.inc()
        self.connections_total.inc()
        self._add(ACTIVE_CONNECTIONS, 1)
        self._add(TOTAL_CONNECTIONS, 1)
        try:
            yield
        finally:
            self.connections.dec()
            self._add(ACTIVE_CONNECTIONS, -1)

    def generation_started(self) -> None:
        """An answer is being generated; ``generation_ended`` (in a ``finally``) when it stops. Two calls
        rather than a context manager: a generator-based one costs the chat's hot path a frame."""
        self.generations.inc()
        self._add(ACTIVE_GENERATIONS, 1)

    def generation_ended(self) -> None:
        self.generations.dec()
        self._add(ACTIVE_GENERATIONS, -1)

    def generated(self, *, first_piece_s: float | None, pieces: int, seconds: float) -> None:
        self.tokens.inc(pieces)
        if first_piece_s is not None:
            self.first_token.observe(first_piece_s)
            streaming = seconds - first_piece_s
            if pieces > 1 and streaming > 0:
                self.tokens_per_second.observe((pieces - 1) / streaming)

    def message_done(self, outcome: str) -> None:
        counter = self._by_outcome.get(outcome)
        if counter is None:
            counter = self._by_outcome[outcome] = self.messages.labels(outcome)
        counter.inc()
        if outcome == "answered":
            self._add(MESSAGES_PROCESSED, 1)

"""What the start-up warm-up and the health probes may know about an AI adapter, whatever its port.

A capability's port (``ObjectDetector``, ``ChatModel``...) says what it does; these say how it is
kept: a ``LocalModel`` runs in this process and is loaded once (the warm-up loads it before the
first request, the health report says "loading" until then); a ``RemoteModel`` calls a provider
behind a circuit breaker (the health report shows the circuit). They are ``runtime_checkable`` so
the composition root and the probes can ask ``isinstance`` instead of guessing from attribute names.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class LocalModel(Protocol):
    """``load()`` is blocking, idempotent and thread-safe; a failed load raises ``ModelUnavailable``
    and is tried again by the next ``load()`` or request. ``loaded`` says whether it has succeeded."""

    @property
    def loaded(self) -> bool: ...

    def load(self) -> None: ...


class Circuit(Protocol):
    """A circuit breaker as health reports see it: ``closed``, ``half_open`` or ``open``."""

    @property
    def name(self) -> str: ...

    @property
    def state(self) -> str: ...


@runtime_checkable
class RemoteModel(Protocol):
    """An adapter that calls a remote provider behind its own circuit breaker."""

    @property
    def breaker(self) -> Circuit: ...


@runtime_checkable
class ReachableModel(Protocol):
    """A remote model whose engine can be asked, cheaply and without running the model, whether it
    answers at all (the circuit only learns that from real calls, so it stays closed while no
    traffic comes)."""

    async def reachable(self) -> float:
        """The round trip in milliseconds (the adapter keeps the outcome for a few seconds); raises
        ``ModelUnavailable`` when the engine does not answer."""
        ...

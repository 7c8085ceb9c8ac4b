"""The one lazy loader the local models share: build something expensive once, on first need."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    """Calls ``build`` once, the first time the value is needed, and keeps what it returns.

    Thread-safe and double-checked: once built, ``get()`` takes no lock; before that, concurrent
    callers wait for one build instead of each building their own. A build that raises keeps
    nothing, so the next ``get()`` tries again (a model whose files appear later, a transient
    error). ``load()`` and ``loaded`` make it a ``LocalModel``, so an adapter can hand them on.
    """

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._built: tuple[T] | None = None  # a 1-tuple, so a build that returns None still counts

    @property
    def loaded(self) -> bool:
        return self._built is not None

    def get(self) -> T:
        built = self._built
        if built is None:
            with self._lock:
                built = self._built
                if built is None:
                    built = self._built = (self._build(),)
        return built[0]

    def load(self) -> None:
        self.get()

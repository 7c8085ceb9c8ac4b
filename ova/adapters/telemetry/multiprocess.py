"""prometheus-client's multiprocess mode, which ``ova serve --workers N`` turns on.

Each worker process writes its series to files of its own (memory-mapped) in one directory per
server, named by ``PROMETHEUS_MULTIPROC_DIR``; a scrape answered by any worker merges every file
there, so it counts the whole server. A worker that dies leaves its files: its counters and
histograms stay in the sums (a counter never goes down because a worker restarted), while the gauges
that count what a live process holds (``livesum``) are dropped with it (``mark_process_dead``).
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import values
from prometheus_client.multiprocess import mark_process_dead

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_directory() -> Path | None:
    """The directory this process's series go to, or ``None`` when they stay in its memory (one
    process: ``ova serve`` with one worker, tests). prometheus-client decides when it is first
    imported, from ``PROMETHEUS_MULTIPROC_DIR``; the variable alone (set after that import) does not
    turn the mode on, so both must agree, or a scrape would read files that this process's chat
    series never reach."""
    directory = os.environ.get(DIRECTORY_VARIABLE)
    if not directory or not getattr(values.ValueClass, "_multiprocess", False):
        return None
    return Path(directory)


def forget_dead_process(pid: int, directory: Path) -> None:
    """A worker has exited (or was killed): its live gauges (open connections, answers in progress)
    no longer count; its counters and histograms do."""
    mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]

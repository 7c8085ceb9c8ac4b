"""The directory of ``ova serve``'s metrics files (prometheus-client's multiprocess mode): one per
server, made empty at start, removed at exit; and what the supervisor does when a worker ends."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from ova.adapters.telemetry.multiprocess import DIRECTORY_VARIABLE, forget_dead_process


def default_instance(host_name: str, port: int) -> str:
    """``OVA_INSTANCE`` when it is not set: the host's name and the port it serves."""
    return f"{host_name}:{port}"


@contextmanager
def metrics_directory(workers: int, instance: str,
                      environ: MutableMapping[str, str] | None = None) -> Iterator[Path | None]:
    """With several workers (or when the operator named a ``PROMETHEUS_MULTIPROC_DIR``): a directory
    of this server's own, named in ``PROMETHEUS_MULTIPROC_DIR`` for the workers to inherit. Under the
    operator's directory it is ``ova-<instance>``, emptied first: files a killed server left would
    otherwise be summed into the new one's counts. Otherwise a new temporary directory. Removed at
    exit either way. One worker alone keeps its series in memory (``None``): nothing to share.

    prometheus-client reads the variable when it is imported: the workers (new processes) import it
    after this; a single worker runs in this process, which imported it before, so it is in
    multiprocess mode only if the operator set the variable before starting."""
    environ = os.environ if environ is None else environ
    base = environ.get(DIRECTORY_VARIABLE)
    if workers == 1 and not base:
        yield None
        return
    if base:
        directory = Path(base) / ("ova-" + re.sub(r"[^A-Za-z0-9._-]", "-", instance))
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
    else:
        directory = Path(tempfile.mkdtemp(prefix="ova-metrics-"))
    environ[DIRECTORY_VARIABLE] = str(directory)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        if base:
            environ[DIRECTORY_VARIABLE] = base
        else:
            environ.pop(DIRECTORY_VARIABLE, None)


def forget_dead_worker(pid: int | None, environ: MutableMapping[str, str] | None = None) -> None:
    """The supervisor's part when a worker has ended (exited, killed, replaced): the gauges of what it
    held open stop counting; its counters stay."""
    directory = (os.environ if environ is None else environ).get(DIRECTORY_VARIABLE)
    if pid is not None and directory:
        forget_dead_process(pid, Path(directory))

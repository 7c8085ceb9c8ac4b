"""``python -m bench.uow_deadline``: what the unit of work's deadline (``DB_TIMEOUT_S`` on MySQL) costs
per unit of work, in process, on the MariaDB at 127.0.0.1:3306 (a scratch database made and dropped).

Three sides, alternated round by round (none, deadline, base, deadline, none...): the unit of work
without any bound (``timeout=None``, SQLite's path), with its deadline, and with ``--base REV``, that
revision's ``unit_of_work.py`` with the same timeout. Each unit of work is a read-only
``users.get`` or a write (a contact message added and committed). The figure per side is the median
over rounds of each round's CPU microseconds (this process's) per unit of work; also printed: one
``asyncio.timeout`` entered and left, alone.

    python -m bench.uow_deadline [--base REV] [--rounds 6] [--units 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ova.adapters.sqlalchemy import migrator
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from ova.domain.contact import ContactMessage
from tests.services import mariadb_database

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 10.0
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def base_unit_of_work(rev: str) -> Any:
    """``SqlUnitOfWork`` as revision ``rev`` wrote it (its imports resolve to this checkout's modules)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:ova/adapters/sqlalchemy/unit_of_work.py"],
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "base_unit_of_work.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("base_unit_of_work", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.SqlUnitOfWork


async def per_unit_us(make: Callable[[bool], Any], units: int, *, write: bool) -> float:
    """This process's CPU microseconds per unit of work (the server's own time, and the waits for it,
    are not counted: they are the same on every side and only add noise)."""
    started = time.process_time()
    for _ in range(units):
        async with make(write) as uow:
            if write:
                await uow.contacts.add(ContactMessage(nombre="B", email="b@example.org", mensaje="m", fecha_envio=NOW))
                await uow.commit()
            else:
                await uow.users.get(1)
    return (time.process_time() - started) / units * 1e6


async def timeout_alone_us(times: int = 200_000) -> float:
    started = time.process_time()
    for _ in range(times):
        async with asyncio.timeout(TIMEOUT_S):  # noqa: ASYNC100 - the timer's own cost, nothing inside
            pass
    return (time.process_time() - started) / times * 1e6


async def main(url: str, base: str | None, rounds: int, units: int) -> None:
    engine = create_engine(url, timeout_s=TIMEOUT_S)
    base_class = base_unit_of_work(base) if base else None
    sides: dict[str, Callable[[bool], Any]] = {
        "none": lambda write: SqlUnitOfWork(engine, read_only=not write),
        "deadline": lambda write: SqlUnitOfWork(engine, read_only=not write, timeout=TIMEOUT_S),
    }
    if base_class is not None:
        sides[f"base {base}"] = lambda write: base_class(engine, read_only=not write, timeout=TIMEOUT_S)
    try:
        for write in (False, True):
            kind = "write + commit" if write else "read-only get"
            results: dict[str, list[float]] = {name: [] for name in sides}
            for make in sides.values():  # warm-up
                await per_unit_us(make, 100, write=write)
            for index in range(rounds):
                order = list(sides) if index % 2 == 0 else list(reversed(sides))
                for name in order:
                    results[name].append(await per_unit_us(sides[name], units, write=write))
            medians = {name: statistics.median(values) for name, values in results.items()}
            print(f"{kind}: " + ", ".join(f"{name} {value:.1f} µs CPU" for name, value in medians.items()))
            for name, value in medians.items():
                if name != "none":
                    print(f"  {name} / none = {value / medians['none']:.3f} "
                          f"(rounds: {', '.join(f'{v:.0f}' for v in results[name])} vs "
                          f"{', '.join(f'{v:.0f}' for v in results['none'])})")
        print(f"asyncio.timeout entered and left alone: {await timeout_alone_us():.2f} µs")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="also measure this revision's unit of work")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--units", type=int, default=1000)
    arguments = parser.parse_args()
    with mariadb_database() as scratch:
        migrator.upgrade(scratch)
        asyncio.run(main(scratch, arguments.base, arguments.rounds, arguments.units))

"""Which looks the hand finder should take, in which order, within a time budget: simulated offline.

Reads the per-photo measurements of ``python -m bench.asl.extract --candidates --cropped --json FILE``
(every look's result and time on every photo, whole and cut to its hand box) and, for every order of
up to ``--length`` looks, works out what the finder would have done: the looks run until one finds a
hand, and with a budget a later look is skipped when the time spent so far plus its expected time (its
median ratio to the first look's time, times that on the photo) would pass the budget, the first look
always running (as ``HandFinder``).
For each: found-rate on the whole photos (and on the labelled hand), on the cropped photos, and the
time per photo (the sum of the looks run) p50, p95 and max.

    python -m bench.asl.budget FILE [--budget 50] [--length 4] [--scale 1.0] [--typical] [--top 15]

``--scale`` multiplies every measured time (e.g. to model an idle machine from a run under load);
``--typical`` takes each look's median time for every photo (a run under load has spikes that belong
to the other processes, not to the looks).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from attrs import frozen

Bool = np.ndarray[Any, np.dtype[np.bool_]]
Float = np.ndarray[Any, np.dtype[np.float64]]


@frozen
class Measured:
    """Per photo (rows) and look (columns): found, found on the labelled hand, milliseconds."""

    looks: tuple[str, ...]
    found: Bool
    on_box: Bool
    ms: Float


@frozen
class Outcome:
    order: tuple[str, ...]
    found: float
    on_box: float
    cropped_found: float
    p50: float
    p95: float
    max: float
    cropped_p95: float
    cropped_max: float


def read(path: Path, scale: float = 1.0, typical: bool = False) -> tuple[Measured, Measured]:
    """The whole photos' and the cropped photos' measurements; ``typical``: every photo's time of a look
    replaced by that look's median (what the looks cost on a machine without other load's spikes)."""
    records = json.loads(path.read_text())["per_photo"]
    looks = tuple(records[0]["whole"])

    def table(part: str) -> Measured:
        rows = [[r[part][name] for name in looks] for r in records if part in r]
        values = np.array(rows, dtype=np.float64).reshape(len(rows), len(looks), 3)
        ms = values[:, :, 2] * scale
        if typical:
            ms = np.broadcast_to(np.median(ms, axis=0), ms.shape).copy()
        return Measured(looks, values[:, :, 0] > 0, values[:, :, 1] > 0, ms)

    return table("whole"), table("cropped")


def run(measured: Measured, order: Sequence[str], budget_ms: float = 0.0) -> tuple[Bool, Bool, Float]:
    """Per photo, the finder taking ``order``: found, found on the labelled hand, milliseconds."""
    photos = measured.found.shape[0]
    done = np.zeros(photos, bool)
    on_box = np.zeros(photos, bool)
    spent = np.zeros(photos)
    first_ms = measured.ms[:, measured.looks.index(order[0])]
    for position, name in enumerate(order):
        column = measured.looks.index(name)
        # as ``LookTimes``: the look's usual ratio to the first look's time, times that on this photo
        expected = float(np.median(measured.ms[:, column] / first_ms)) * first_ms
        runs = ~done
        if position and budget_ms:
            runs &= spent + expected <= budget_ms
        spent += np.where(runs, measured.ms[:, column], 0.0)
        now = runs & measured.found[:, column]
        on_box |= now & measured.on_box[:, column]
        done |= now
    return done, on_box, spent


def outcome(whole: Measured, cropped: Measured, order: Sequence[str], budget_ms: float) -> Outcome:
    found, on_box, ms = run(whole, order, budget_ms)
    cropped_found, _, cropped_ms = run(cropped, order, budget_ms)
    return Outcome(tuple(order), float(found.mean()), float(on_box.mean()), float(cropped_found.mean()),
                   float(np.median(ms)), float(np.percentile(ms, 95)), float(ms.max()),
                   float(np.percentile(cropped_ms, 95)), float(cropped_ms.max()))


def orders(looks: Sequence[str], length: int) -> list[tuple[str, ...]]:
    return [order for n in range(1, length + 1) for order in itertools.permutations(looks, n)]


def meets(o: Outcome, bound_ms: float, min_found: float) -> bool:
    return o.found >= min_found and o.p95 <= bound_ms and o.max <= bound_ms


def ranked(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Most hands found in close crops first, then on whole photos, then the quickest."""
    return sorted(outcomes, key=lambda o: (-o.cropped_found, -o.found, o.p95))


def row(o: Outcome) -> str:
    return (f"| {' → '.join(o.order)} | {o.found:.1%} | {o.on_box:.1%} | {o.cropped_found:.1%} | "
            f"{o.p50:.1f} | {o.p95:.1f} | {o.max:.1f} | {o.cropped_p95:.1f} | {o.cropped_max:.1f} |")


HEADER = ["| order | found | on the hand | found, cropped | p50 ms | p95 ms | max ms | cropped p95 | cropped max |",
          "|---|---|---|---|---|---|---|---|---|"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.asl.budget", description=__doc__.splitlines()[0])
    parser.add_argument("measurements", type=Path)
    parser.add_argument("--budget", type=float, default=50.0, help="ms per photo; the bound to meet")
    parser.add_argument("--length", type=int, default=4, help="the most looks in one order")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every measured time by this")
    parser.add_argument("--first", help="only orders that start with this look")
    parser.add_argument("--typical", action="store_true",
                        help="every photo's time of a look is its median (the load's spikes left out)")
    parser.add_argument("--min-found", type=float, default=0.95)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--order", action="append", default=[],
                        help="also show this order (names, comma-separated) at several budgets")
    options = parser.parse_args(argv)
    whole, cropped = read(options.measurements, options.scale, options.typical)
    print(f"{whole.found.shape[0]} photos, {cropped.found.shape[0]} cropped; time × {options.scale:g}\n")
    print("| look (alone) | found | on the hand | found, cropped | median ms | p95 ms | cropped median |")
    print("|---|---|---|---|---|---|---|")
    for i, name in enumerate(whole.looks):
        print(f"| {name} | {whole.found[:, i].mean():.1%} | {whole.on_box[:, i].mean():.1%} | "
              f"{cropped.found[:, i].mean():.1%} | {np.median(whole.ms[:, i]):.1f} | "
              f"{np.percentile(whole.ms[:, i], 95):.1f} | {np.median(cropped.ms[:, i]):.1f} |")
    candidates = [order for order in orders(whole.looks, options.length)
                  if options.first is None or order[0] == options.first]
    for budget, title in ((0.0, "no budget rule: p95 and max"), (options.budget, "with the budget rule")):
        outcomes = [outcome(whole, cropped, order, budget) for order in candidates]
        good = ranked([o for o in outcomes if meets(o, options.budget, options.min_found)])
        print(f"\n{title} ≤ {options.budget:g} ms, found ≥ {options.min_found:.0%}: "
              f"{len(good)} of {len(outcomes)} orders\n")
        print("\n".join(HEADER + [row(o) for o in good[:options.top]]))
        if not good:
            print("\nnone; the most found among those with p95 within the bound:\n")
            near = ranked([o for o in outcomes if o.p95 <= options.budget])
            print("\n".join(HEADER + [row(o) for o in near[:options.top]]))
    for text in options.order:
        order = tuple(text.split(","))
        print(f"\n{' → '.join(order)} at several budgets (0: none)\n")
        print("| budget ms | " + HEADER[0][2:])
        print("|---" + HEADER[1])
        for budget in (0.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0):
            print(f"| {budget:g} " + row(outcome(whole, cropped, order, budget)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

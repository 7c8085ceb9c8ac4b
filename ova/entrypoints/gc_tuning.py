"""The garbage collector of a long-running server process.

Under many chat connections, CPython's default thresholds make the collector run often and pause
long, as README's performance section shows
(every full collection walks everything imported and loaded at start-up: the web stack, SQLAlchemy,
the models' Python objects). ``gc.freeze()`` moves what exists once the server has started into a
permanent generation that collections skip, and a larger first threshold makes young collections
rarer. Only ``ova serve`` does this: a test process that builds many apps keeps the defaults.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000
OLDER_THRESHOLDS = (20, 20)


def freeze_startup_heap() -> None:
    """Collect once, then keep everything alive now out of later collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def freeze_again_if_tuned() -> None:
    """After loading something big (a model) in a process that ``freeze_startup_heap`` tuned."""
    if gc.get_freeze_count():
        gc.collect()
        gc.freeze()

"""How many cores each worker of ``ova serve --workers N`` reads chat prompts with.

llama.cpp's threads wait for each other at every layer, so workers that read prompts at once with
every core each keep waiting for threads that are not running, while a single worker does best with
every core (measured in the README, "Several chats at once"). So the cores are shared out among the
workers, never less than one each.
"""

from __future__ import annotations


def prompt_threads_per_worker(cores: int, workers: int) -> int:
    """``cores // workers``, at least 1."""
    return max(1, cores // max(1, workers))

"""The local models' weights as the operator sees them: what each is, where it comes from, and
whether the files on this machine are the ones it names (by sha256).

The store is what the CLI (``ova models list | verify | pull``) and the health report ask; the local
adapters get their verified paths from it through the composition root, so a file is never used
without its checksum having matched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from attrs import frozen

Progress = Callable[[int, int], None]
"""Called while a file downloads with (bytes so far, bytes in all)."""


@frozen
class ModelFileReport:
    """One file of a model: ``present`` (somewhere this machine can read it: the cache folder, or
    inside the packages that carry it), ``verified`` (its sha256 matched); ``note`` says what a check
    found and did (a damaged cached copy is removed: the next use rebuilds it from the packages)."""

    name: str
    size: int
    sha256: str
    present: bool
    verified: bool
    note: str = ""


@frozen
class ModelReport:
    """One catalogue entry and its state here. ``used_by``: the capabilities configured to run it.
    ``sources``: the registry packages that carry it and the upstream URLs it can be pulled from."""

    name: str
    task: str
    languages: tuple[str, ...]
    licence: str
    size: int
    files: tuple[ModelFileReport, ...]
    used_by: tuple[str, ...]
    packages: tuple[str, ...]
    urls: tuple[str, ...]

    @property
    def present(self) -> bool:
        return all(file.present for file in self.files)

    @property
    def verified(self) -> bool:
        return all(file.verified for file in self.files)


class ModelStore(Protocol):
    def names(self) -> list[str]:
        """Every catalogue entry, in catalogue order."""
        ...

    def report(self, name: str, *, check: bool = False) -> ModelReport:
        """The entry's state; ``check`` hashes every present file again (slow for large models),
        otherwise a file verified before and unchanged since (size, modification time) counts as
        verified. ``InvalidInput`` for an unknown name."""
        ...

    def pull(self, name: str, progress: Progress | None = None) -> ModelReport:
        """Downloads the entry's missing or wrong files from their upstream URLs into the cache
        folder (resuming a partial download), checks each sha256 and only then puts it in place.
        ``ModelUnavailable`` when a file cannot be fetched or its checksum differs."""
        ...

"""The composition root: the one place that reads ``Settings`` and chooses adapters."""

from ova.bootstrap.container import Container, build_container

__all__ = ["Container", "build_container"]

"""One configuration variable: where its value goes in ``Settings``, how it is parsed, what it means."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen


@frozen
class Variable:
    name: str
    section: str | None
    """The ``Settings`` attribute holding the group (``"chat"``: ``settings.chat``); ``None``: ``Settings`` itself."""
    attribute: str
    parse: Callable[[str], object]
    help: str
    secret: bool = False
    """Its value is masked in configuration errors and in ``ova config check``."""


@frozen
class InSection:
    """Makes the variables of one settings group, each module naming its section once."""

    section: str | None

    def __call__(self, name: str, attribute: str, parse: Callable[[str], object], help: str, *,
                 secret: bool = False) -> Variable:
        return Variable(name, self.section, attribute, parse, help, secret)

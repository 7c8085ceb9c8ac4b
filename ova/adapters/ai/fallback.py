"""One fallback wrapper for every AI port: ask the remote provider; when it is unavailable, the local model.

``with_fallback(port, remote, local)`` returns an object that satisfies ``port`` (any of the AI
ports) and is a ``Fallback``. Its class is built once per port from the port's members, so a new
port needs no wrapper class of its own:

* an ``async def`` method asks ``remote`` and, when that raises ``ModelUnavailable`` (down, circuit
  open, timed out), asks ``local`` with the same arguments. Other errors (bad media, ``Busy``) are
  not hidden;
* a method that returns an async stream (``ChatModel.stream``) streams the remote's pieces; when the
  remote raises ``ModelUnavailable`` before its first piece, it streams the local model's instead.
  Once remote pieces have been shown a failure ends the stream as it is: a second answer glued to
  half of the first would be worse than an error;
* properties and attributes (``model``, ``info``, ``voices``) are the remote's.

``local_arguments`` adapts the keyword arguments of a call that falls back, for what the local
model offers differently (``default_voice_when_unknown`` for speech).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar, cast

from ova.application.ports.models import Circuit, RemoteModel
from ova.domain.errors import ModelUnavailable

P = TypeVar("P")

LocalArguments = Callable[[Any, dict[str, Any]], dict[str, Any]]
"""``(local, keyword arguments) -> keyword arguments`` for the local model's call."""

_STREAMS = (AsyncGenerator, AsyncIterator, AsyncIterable)
_TAKEN = frozenset({"remote", "local", "breaker"})


_CLASSES: dict[tuple[type[Any], LocalArguments | None], type[Fallback[Any]]] = {}


class Fallback(Generic[P]):
    """What every fallback wrapper is: ``remote`` answers, ``local`` stands in (see the module)."""

    def __init__(self, remote: P, local: P) -> None:
        self.remote = remote
        self.local = local

    @property
    def breaker(self) -> Circuit | None:
        """The remote adapter's breaker, for health reports."""
        return self.remote.breaker if isinstance(self.remote, RemoteModel) else None


def with_fallback(port: type[Any], remote: P, local: P, *, local_arguments: LocalArguments | None = None) -> P:
    """``remote`` wrapped so that the ``local`` model answers when the remote is unavailable.

    The result is typed as what ``remote`` and ``local`` both are (``port``, where the caller says
    so: ``detector: ObjectDetector = with_fallback(ObjectDetector, ...)``); mypy cannot take a
    Protocol class for ``type[P]``, hence ``type[Any]``."""
    return cast(P, fallback_class(port, local_arguments)(remote, local))


def fallback_class(port: type[Any], local_arguments: LocalArguments | None = None) -> type[Fallback[Any]]:
    """The ``Fallback`` subclass that delegates ``port``'s members (built once per port and rule).
    Raises ``TypeError`` for a member it cannot delegate: a plain method that returns no stream,
    or a name ``Fallback`` itself uses."""
    key = (port, local_arguments)
    built = _CLASSES.get(key)
    if built is None:
        built = _CLASSES[key] = _build_class(port, local_arguments)
    return built


def _build_class(port: type[Any], local_arguments: LocalArguments | None) -> type[Fallback[Any]]:
    members: dict[str, Any] = {}
    for name, member in port_members(port).items():
        if name in _TAKEN or hasattr(Fallback, name):
            raise TypeError(f"{port.__name__}.{name}: the name is taken by Fallback itself")
        if isinstance(member, property) or member is None:
            members[name] = _remote_value(name)
        elif inspect.iscoroutinefunction(member):
            members[name] = _call(name, local_arguments)
        elif inspect.isfunction(member) and _returns_stream(member):
            members[name] = _stream(name, local_arguments)
        else:
            raise TypeError(f"{port.__name__}.{name}: only async methods, streams and properties fall back")
    return type(f"{port.__name__}Fallback", (Fallback,), {"__doc__": Fallback.__doc__, **members})


def port_members(port: type[Any]) -> dict[str, Any]:
    """The public members a Protocol declares (methods, properties; ``None`` for a bare annotation)."""
    found: dict[str, Any] = {}
    for klass in reversed(port.__mro__):
        if klass in (object, Protocol, Generic):
            continue
        found.update(dict.fromkeys(vars(klass).get("__annotations__", {})))
        found.update({name: value for name, value in vars(klass).items() if not name.startswith("_")})
    return {name: value for name, value in found.items() if not name.startswith("_")}


def default_voice_when_unknown(local: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """Text to speech: a voice the local engine does not know falls back to its default voice."""
    voice = arguments.get("voice")
    if voice is None or voice in local.voices:
        return arguments
    return {**arguments, "voice": None}


def _returns_stream(method: Callable[..., Any]) -> bool:
    returned = typing.get_type_hints(method).get("return")
    return typing.get_origin(returned) in _STREAMS


def _remote_value(name: str) -> property:
    return property(lambda self: getattr(self.remote, name), doc=f"The remote adapter's ``{name}``.")


def _call(name: str, local_arguments: LocalArguments | None) -> Callable[..., Awaitable[Any]]:
    async def call(self: Fallback[Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await getattr(self.remote, name)(*args, **kwargs)
        except ModelUnavailable:
            if local_arguments is not None:
                kwargs = local_arguments(self.local, kwargs)
            return await getattr(self.local, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def _stream(name: str, local_arguments: LocalArguments | None) -> Callable[..., AsyncGenerator[Any, None]]:
    async def stream(self: Fallback[Any], *args: Any, **kwargs: Any) -> AsyncGenerator[Any, None]:
        remote = getattr(self.remote, name)(*args, **kwargs)
        try:
            try:
                first = await anext(remote)
            except StopAsyncIteration:
                return
            except ModelUnavailable:
                pass
            else:
                yield first
                async for piece in remote:
                    yield piece
                return
        finally:
            await aclose(remote)
        if local_arguments is not None:
            kwargs = local_arguments(self.local, kwargs)
        local = getattr(self.local, name)(*args, **kwargs)
        try:
            async for piece in local:
                yield piece
        finally:
            await aclose(local)

    stream.__name__ = stream.__qualname__ = name
    return stream


async def aclose(stream: AsyncIterator[object]) -> None:
    """Closes an async generator now (not whenever it is garbage-collected), freeing what it holds."""
    close = getattr(stream, "aclose", None)
    if close is not None:
        await close()

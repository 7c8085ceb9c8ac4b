"""Hosts on one machine: network namespaces joined by a bridge, as the cluster test builds them.

The root namespace (where the tests run) owns the bridge and its first address, so it reaches every
namespace directly, and can take more addresses on the bridge to act as several clients. Each
namespace gets a veth pair (one end on the bridge), its own address and a loopback. Every name holds a
random tag, so two runs on one machine do not collide; ``remove()`` kills what runs inside and
deletes all of it.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import shutil
import signal
import subprocess
from collections.abc import Sequence

import attrs


class NamespacesUnavailable(Exception):
    """This machine cannot make network namespaces (not root, no ``ip``, a container without the right)."""


def _ip(*args: str, namespace: str | None = None) -> str:
    command = ["ip", *(("netns", "exec", namespace, "ip") if namespace else ()), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
    return done.stdout


def check_namespaces_possible() -> None:
    if shutil.which("ip") is None:
        raise NamespacesUnavailable("the `ip` command (iproute2) is not installed")
    if os.geteuid() != 0:
        raise NamespacesUnavailable("network namespaces need root")


@attrs.define
class Namespace:
    name: str
    address: str

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside this namespace (``ip netns exec`` execs it: the pid is the program's)."""
        return ["ip", "netns", "exec", self.name, *argv]

    def pids(self) -> list[int]:
        done = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True, timeout=30)
        return [int(pid) for pid in done.stdout.split()]

    def kill_all(self, sig: signal.Signals = signal.SIGKILL) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


@attrs.define
class Network:
    """A /24 on a bridge: ``.1`` is the root namespace, the namespaces get ``.11``, ``.12``..."""

    tag: str
    prefix: str  # "10.x.y"
    bridge: str
    namespaces: dict[str, Namespace] = attrs.field(factory=dict)
    client_addresses: list[str] = attrs.field(factory=list)

    @property
    def gateway(self) -> str:
        return f"{self.prefix}.1"

    @classmethod
    def create(cls) -> Network:
        check_namespaces_possible()
        tag = secrets.token_hex(2)
        taken = _ip("-o", "addr")
        prefix = next(
            candidate for candidate in (f"10.{random.randint(200, 250)}.{random.randint(0, 255)}" for _ in range(50))
            if f" {candidate}." not in taken
        )
        network = cls(tag=tag, prefix=prefix, bridge=f"ovb{tag}")
        try:
            _ip("link", "add", network.bridge, "type", "bridge")
            _ip("addr", "add", f"{network.gateway}/24", "dev", network.bridge)
            _ip("link", "set", network.bridge, "up")
        except (subprocess.CalledProcessError, OSError) as error:
            network.remove()
            detail = getattr(error, "stderr", "") or str(error)
            raise NamespacesUnavailable(f"cannot make a bridge: {detail.strip()}") from error
        return network

    def add(self, role: str) -> Namespace:
        """A namespace ``ova<tag>-<role>`` with the next address on the bridge."""
        number = 11 + len(self.namespaces)
        namespace = Namespace(f"ova{self.tag}-{role}", f"{self.prefix}.{number}")
        outside, inside = f"ov{self.tag}{number}", f"ov{self.tag}{number}i"
        try:
            _ip("netns", "add", namespace.name)
            self.namespaces[role] = namespace
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", namespace.name)
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("addr", "add", f"{namespace.address}/24", "dev", inside, namespace=namespace.name)
            _ip("link", "set", inside, "up", namespace=namespace.name)
            _ip("link", "set", "lo", "up", namespace=namespace.name)
        except subprocess.CalledProcessError as error:
            raise NamespacesUnavailable(f"cannot make namespace {namespace.name}: {error.stderr.strip()}") from error
        return namespace

    def add_client_address(self) -> str:
        """One more address of the root namespace on the bridge, for a client that must look distinct."""
        address = f"{self.prefix}.{101 + len(self.client_addresses)}"
        _ip("addr", "add", f"{address}/24", "dev", self.bridge)
        self.client_addresses.append(address)
        return address

    def remove(self) -> None:
        for namespace in self.namespaces.values():
            namespace.kill_all()
            subprocess.run(["ip", "netns", "del", namespace.name], capture_output=True, timeout=30)
        self.namespaces.clear()
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, timeout=30)



"""The cluster the tests run against, built on this machine (README, "Deployment"):

- two hosts, each a network namespace running ``ova serve --workers 2`` on port 8000 with the
  same database (MariaDB) and Redis, reached through forwarders on the bridge's root address;
- an inference engine (``tests.cluster.engine``, OpenAI-compatible) in a third namespace, which the
  hosts use as ``CHAT_PROVIDER=openai-compatible``;
- HAProxy with ``deploy/haproxy.cfg`` in a fourth namespace, in front of both hosts.

The tests run in the root namespace and act as clients from several addresses of the bridge.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import attrs
import httpx

from tests.cluster.network import Namespace, Network
from tests.e2e.server import ADMIN_EMAIL, ADMIN_PASSWORD, server_env
from tests.fakes.tcp_proxy import ThreadedProxy

REPOSITORY = Path(__file__).resolve().parents[2]
HAPROXY_CONFIG = REPOSITORY / "deploy" / "haproxy.cfg"
PORT = 8000
ENGINE_PORT = 8080
WORKERS = 2
LEASE_TTL_S = 3
SHUTDOWN_GRACE_S = 10
LOGIN_MAX_FAILURES = 5


@attrs.define(eq=False)
class Process:
    """A program run inside a namespace, its output appended to ``log``."""

    namespace: Namespace
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.namespace.command(self.argv), env=self.env, stdout=output, stderr=subprocess.STDOUT,
                cwd=REPOSITORY,
            )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        if self.running():
            os.kill(self.pid, sig)

    def kill(self) -> None:
        """``kill -9`` of everything in the namespace: the host dies with its workers."""
        self.namespace.kill_all(signal.SIGKILL)
        self.wait(30)

    def wait(self, timeout_s: float) -> int | None:
        if self.popen is None:
            return None
        try:
            return self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        if self.wait(SHUTDOWN_GRACE_S + 10) is None:
            self.kill()

    def tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


@attrs.define(eq=False)
class Host:
    name: str
    server: Process

    @property
    def address(self) -> str:
        return self.server.namespace.address

    @property
    def base(self) -> str:
        return f"http://{self.address}:{PORT}"

    def start(self) -> None:
        self.server.start()

    def wait_ready(self, timeout_s: float = 120) -> None:
        last: list[str] = []

        def ready() -> bool:
            try:
                response = httpx.get(self.base + "/status/ready", timeout=2)
            except httpx.TransportError as error:
                last[:] = [repr(error)]
                return False
            last[:] = [f"{response.status_code} {response.text}"]
            return response.status_code == 200

        try:
            wait_for(f"{self.name} ready", ready, timeout_s, self.server)
        except AssertionError as error:
            raise AssertionError(f"{error}\nlast /status/ready: {last}") from None


@attrs.define
class Cluster:
    network: Network
    hosts: list[Host]
    engine: Process
    balancer: Process
    database: ThreadedProxy
    redis: ThreadedProxy
    database_url: str
    redis_url: str
    workdir: Path
    _admin_headers: dict[str, str] = attrs.field(factory=dict)

    @property
    def base(self) -> str:
        return f"http://{self.balancer.namespace.address}:{PORT}"

    @property
    def engine_base(self) -> str:
        return f"http://{self.engine.namespace.address}:{ENGINE_PORT}"

    def client(self, source: str | None = None, base: str | None = None) -> httpx.Client:
        """An HTTP client of the balancer (or of ``base``) from the root namespace's ``source`` address."""
        transport = httpx.HTTPTransport(local_address=source or self.network.gateway)
        return httpx.Client(base_url=base or self.base, timeout=30, transport=transport)

    def ova(self, host: Host, *args: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
        """The ``ova`` command run on ``host`` (its namespace and environment)."""
        command = host.server.namespace.command([sys.executable, "-m", "ova", *args])
        return subprocess.run(command, env=host.server.env, capture_output=True, text=True, timeout=timeout_s,
                              cwd=REPOSITORY)

    def restart(self, host: Host) -> None:
        """Starts ``host`` again after a kill or a SIGTERM and waits until the balancer sends it traffic."""
        if host.server.running():
            host.server.stop()
        host.start()
        host.wait_ready()
        wait_for("the balancer to use it again", lambda: self.balancer_sees_up(host), 30, self.balancer)

    def balancer_sees_up(self, host: Host) -> bool:
        """Whether requests through the balancer reach ``host`` (round robin: one of a few does)."""
        with self.client() as client:
            for _ in range(6):
                try:
                    if self.host_of(client) is host:
                        return True
                except httpx.TransportError:
                    return False
        return False

    def host_of(self, client: httpx.Client) -> Host | None:
        """The host whose worker answers ``client``'s next request (``/status`` names the process to
        an admin; each namespace knows its processes)."""
        response = client.get("/status", headers=self.admin_headers)
        if response.status_code != 200:  # the balancer's 503: no host up
            return None
        pid = int(response.json()["instance"].rsplit(":", 1)[-1])
        return next((host for host in self.hosts if pid in host.server.namespace.pids()), None)

    @property
    def admin_headers(self) -> dict[str, str]:
        if not self._admin_headers:
            with self.client(base=self.hosts[0].base) as client:
                login = client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
                assert login.status_code == 200, login.text
                self._admin_headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        return self._admin_headers


def host_env(base: Mapping[str, str], *, database_url: str, redis_url: str, engine: str, balancer: str,
             workdir: Path) -> dict[str, str]:
    env = server_env(workdir, {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TRUSTED_PROXIES": balancer,
        "CHAT_PROVIDER": "openai-compatible",
        "CHAT_API_URL": f"http://{engine}:{ENGINE_PORT}/v1",
        "CHAT_MODEL": "cluster-engine",
        "WS_LEASE_TTL_S": str(LEASE_TTL_S),
        "WS_SHUTDOWN_GRACE_S": str(SHUTDOWN_GRACE_S),
        "LOGIN_MAX_FAILURES": str(LOGIN_MAX_FAILURES),
        "WS_MESSAGES_PER_MINUTE": "10000",  # the failover tests' talkers send one message after another
        "PYTHONPATH": str(REPOSITORY),
        **base,
    })
    env.pop("USE_SQLITE", None)
    env.pop("SQLITE_PATH", None)
    return env


def wait_for(what: str, condition: object, timeout_s: float, process: Process | None = None) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.popen is not None and not process.running():
            raise AssertionError(f"waiting for {what}: the process exited:\n{process.tail()}")
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout_s} s" + (f":\n{process.tail()}" if process else ""))

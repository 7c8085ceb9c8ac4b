"""The cluster fixture: built once for the whole module set (it takes seconds), torn down at the end with
every process stopped, the namespaces, the database and the Redis keys removed. Tests that stop a host
start it again before they end (``Cluster.restart``)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
import redis

from tests.cluster.network import NamespacesUnavailable, Network
from tests.cluster.rig import ENGINE_PORT, HAPROXY_CONFIG, PORT, WORKERS, Cluster, Host, Process, host_env, wait_for
from tests.fakes.tcp_proxy import proxy_in_thread
from tests.services import mariadb_database, require_service

REDIS_DB = 2
"""The Redis database the cluster uses (other tests use 0), emptied of ova's keys before and after."""


def _clear_redis() -> None:
    try:
        connection = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=2)
        for key in connection.scan_iter("ova:*"):
            connection.delete(key)
        connection.close()
    except redis.RedisError as error:
        require_service("Redis at 127.0.0.1:6379", error)


_BUILD_FAILED: list[str] = []
"""Why building the cluster failed, once it has: the other tests fail at once instead of building it again."""


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if _BUILD_FAILED:
        pytest.fail(f"the cluster could not be built (see the first cluster test): {_BUILD_FAILED[0]}", pytrace=False)
    try:
        yield from _built_cluster(tmp_path_factory)
    except AssertionError as error:
        _BUILD_FAILED.append(str(error).splitlines()[0])
        raise


def _built_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("haproxy") is None:
        require_service("HAProxy (installed by `make haproxy-tool`)", FileNotFoundError("haproxy"))
    try:
        network = Network.create()
    except NamespacesUnavailable as error:
        require_service("network namespaces", error)
    workdir = tmp_path_factory.mktemp("cluster")
    _clear_redis()
    try:
        with ExitStack() as stack:
            gateway = network.gateway
            database = stack.enter_context(proxy_in_thread("127.0.0.1", 3306, listen=(gateway, 3306)))
            cache = stack.enter_context(proxy_in_thread("127.0.0.1", 6379, listen=(gateway, 6379)))
            name = stack.enter_context(mariadb_database()).rsplit("/", 1)[1]
            namespaces = {role: network.add(role) for role in ("host1", "host2", "engine", "lb")}
            database_url = f"mysql+aiomysql://root@{gateway}:3306/{name}"
            redis_url = f"redis://{gateway}:6379/{REDIS_DB}"
            env = host_env({}, database_url=database_url, redis_url=redis_url,
                           engine=namespaces["engine"].address, balancer=namespaces["lb"].address, workdir=workdir)
            hosts = [
                Host(role, Process(namespaces[role], [
                    sys.executable, "-m", "ova", "serve", "--host", "0.0.0.0", "--port", str(PORT),
                    "--workers", str(WORKERS)], {**env, "OVA_INSTANCE": f"{role}:{PORT}"}, workdir / f"{role}.log"))
                for role in ("host1", "host2")
            ]
            engine = Process(namespaces["engine"], [
                sys.executable, "-m", "tests.cluster.engine", "--host", "0.0.0.0", "--port", str(ENGINE_PORT)],
                env, workdir / "engine.log")
            balancer = Process(namespaces["lb"], ["haproxy", "-db", "-f", str(HAPROXY_CONFIG)], {
                "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                "OVA_LB_BIND": f"0.0.0.0:{PORT}",
                **{f"OVA_HOST_{n}": f"{host.address}:{PORT}" for n, host in enumerate(hosts, 1)},
            }, workdir / "haproxy.log")
            rig = Cluster(network, hosts, engine, balancer, database, cache, database_url, redis_url, workdir)
            stack.callback(_stop_all, rig)
            migrated = rig.ova(hosts[0], "db", "upgrade")
            assert migrated.returncode == 0, migrated.stdout + migrated.stderr
            engine.start()
            wait_for("the engine", lambda: _answers(f"{rig.engine_base}/v1/models"), 60, engine)
            for host in hosts:
                host.start()
            for host in hosts:
                host.wait_ready()
            balancer.start()
            wait_for("the balancer", lambda: all(rig.balancer_sees_up(h) for h in hosts), 30, balancer)
            yield rig
    finally:
        network.remove()
        _clear_redis()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _stop_all(rig: Cluster) -> None:
    for process in (rig.balancer, *(host.server for host in rig.hosts), rig.engine):
        process.stop()


"""A real ``ova serve`` process on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

SECRET = "e2e-secret-0123456789abcdef0123456789abcdef"
ADMIN_EMAIL = "admin@ova.test"
ADMIN_PASSWORD = "admin-password-e2e"
FAST_HASHING = {"PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "8192"}
CAPABILITIES = ("CHAT", "DETECTION", "CAPTIONING", "ASL", "STT", "TTS", "OCR")
FAKE_AI = {f"{capability}_PROVIDER": "fake" for capability in CAPABILITIES}
LOCAL_AI = {f"{capability}_PROVIDER": "local" for capability in CAPABILITIES}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(tmp: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "OVA_ADMIN"))}
    env.update({
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
        "OVA_ENV_FILE": str(tmp / "none.env"),
        "USE_SQLITE": "true",
        "SQLITE_PATH": str(tmp / "ova.db"),
        "JWT_SECRET_KEY": SECRET,
        "OVA_ADMIN_EMAIL": ADMIN_EMAIL,
        "OVA_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "REGISTER_MAX_PER_HOUR": "100000",
        "CONTACT_MAX_PER_HOUR": "100000",
        "LOGIN_MAX_FAILURES": "1000",
        **FAST_HASHING,
        **FAKE_AI,
    })
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(extra or {})
    return env


@contextmanager
def running_server(env: Mapping[str, str], *, workers: int = 1, timeout_s: float = 60) -> Iterator[str]:
    """Migrates the database, starts ``ova serve``, waits for ``/status``; stops it afterwards."""
    ova = [sys.executable, "-m", "ova"]
    subprocess.run([*ova, "db", "upgrade"], env=dict(env), check=True, capture_output=True, timeout=120)
    port = free_port()
    log = Path(env["SQLITE_PATH"]).with_suffix(f".{port}.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*ova, "serve", "--port", str(port), "--workers", str(workers)],
            env=dict(env), stdout=output, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, timeout_s, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ova serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/status", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"ova serve did not answer within {timeout_s} s:\n{log.read_text()[-3000:]}")


def admin_headers(base: str) -> dict[str, str]:
    """The bearer header of ``OVA_ADMIN_EMAIL``'s account (operator detail is shown only to admins)."""
    login = httpx.post(base + "/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=30)
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def server_pid(base: str) -> int:
    """The pid of the process that answers at ``base`` (``/status``'s ``instance``, shown to an admin)."""
    instance = httpx.get(base + "/status", headers=admin_headers(base), timeout=30).json()["instance"]
    return int(instance.rsplit(":", 1)[-1])

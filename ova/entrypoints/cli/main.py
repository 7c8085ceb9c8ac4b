"""``ova serve | db | admin | config | health``."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import click
import httpx

from ova.bootstrap import build_container
from ova.bootstrap.cpu_share import prompt_threads_per_worker
from ova.bootstrap.metrics_directory import default_instance, metrics_directory
from ova.bootstrap.system_tools import missing_tools
from ova.config import ConfigError, Settings, load_settings
from ova.config.loader import describe
from ova.domain.errors import DomainError
from ova.domain.text import Password, is_valid_email
from ova.entrypoints.cli.models import models_group
from ova.entrypoints.logs import configure_logging


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        click.echo(str(error), err=True)
        sys.exit(2)


@click.group()
@click.version_option(package_name="ova")
def main() -> None:
    """OVA backend: accounts, chat, images and sign language over HTTP and WebSocket."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Start the server (uvicorn with uvloop and httptools)."""
    settings = _settings()
    configure_logging(settings)
    if workers > 1 and not settings.redis_url:
        click.echo("warning: several workers without REDIS_URL do not share revocations or rate limits", err=True)
    instance = settings.instance or default_instance(socket.gethostname(), port)
    os.environ["OVA_INSTANCE"] = instance  # the workers' settings read it: host:port, which they do not know
    if settings.chat.prompt_threads is None:  # the workers share the cores out (see CHAT_PROMPT_THREADS)
        os.environ["CHAT_PROMPT_THREADS"] = str(prompt_threads_per_worker(os.cpu_count() or 1, workers))
    with metrics_directory(workers, instance):
        _serve(settings, host, port, workers)


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    from ova.entrypoints.cli.http_protocol import HeaderTimeoutProtocol, OvaConfig
    from ova.entrypoints.cli.server import run
    from ova.entrypoints.websocket.frame_reading import max_frame_bytes

    run(OvaConfig(
        "ova.entrypoints.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http=HeaderTimeoutProtocol,  # httptools, with a deadline on request headers
        header_timeout_s=settings.http.header_timeout_s,
        limit_concurrency=settings.http.max_connections or None,
        log_config=None,
        access_log=False,
        proxy_headers=bool(settings.http.trusted_proxies),  # off: X-Forwarded-* from anyone is ignored
        forwarded_allow_ips=list(settings.http.trusted_proxies),  # never uvicorn's default, 127.0.0.1
        server_header=False,
        timeout_graceful_shutdown=30,
        ws_max_size=max_frame_bytes(settings.chat.max_text_bytes, settings.chat.max_audio_bytes) + 1024,
        ws_per_message_deflate=settings.chat.compression,
    ))


@main.group()
def db() -> None:
    """Database schema migrations."""


@db.command()
def upgrade() -> None:
    """Apply every pending migration."""
    revision = build_container(_settings()).database().upgrade()
    click.echo(f"database at revision {revision}")


@db.command()
def current() -> None:
    """Show the database's revision and the latest one."""
    database = build_container(_settings()).database()
    revision = database.stored_revision()
    head = database.head()
    click.echo(f"current: {revision or '(none)'}\nhead:    {head}")
    if revision != head:
        click.echo("run `ova db upgrade` to apply pending migrations")
        sys.exit(1)


@db.command()
def purge() -> None:
    """Delete the refresh sessions that have expired (a running server does it every
    SESSION_PURGE_INTERVAL_S seconds too)."""
    settings = _settings()

    async def run() -> int:
        container = build_container(settings)
        await container.init_resources()  # type: ignore[misc]
        try:
            return await container.purge_sessions()()
        finally:
            await container.shutdown_resources()  # type: ignore[misc]

    click.echo(f"expired refresh sessions deleted: {asyncio.run(run())}")


@main.group()
def admin() -> None:
    """Administrators."""


@admin.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="8 to 1024 characters.")
@click.option("--nombre", default="Administrador", show_default=True)
def create_admin(email: str, password: str, nombre: str) -> None:
    """Create an admin, or promote an existing account to admin: its password is replaced and every
    login it had ends."""
    if not is_valid_email(email.strip()):
        raise click.BadParameter("not a valid email", param_hint="--email")
    try:
        Password()(None, None, password)
    except DomainError as error:
        raise click.BadParameter(error.detail, param_hint="--password") from None
    settings = _settings()

    async def run() -> None:
        container = build_container(settings)
        await container.init_resources()  # type: ignore[misc]
        try:
            ready = await container.ensure_admin()(email, password, nombre)
        finally:
            await container.shutdown_resources()  # type: ignore[misc]
        assert ready is not None
        user = ready.user
        click.echo(f"admin ready: {user.email} (id {user.id})")
        if not ready.created:
            click.echo("existing account: promoted to admin, password replaced, every other login ended")

    asyncio.run(run())


main.add_command(models_group(lambda: build_container(_settings()).model_store()), "models")


@main.group()
def config() -> None:
    """Configuration."""


@config.command()
def check() -> None:
    """Validate the configuration and print what is in effect (secrets masked)."""
    settings = _settings()
    rows = describe(settings)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name.ljust(width)}  {value}")
    for problem in missing_tools(settings.ai):  # the machine, not the configuration: warned, not refused
        click.echo(f"warning: {problem}")
    click.echo("configuration ok")


@main.command()
@click.option("--url", default="http://127.0.0.1:8000", show_default=True)
@click.option("--timeout", default=5.0, show_default=True)
@click.option("--token", envvar="METRICS_TOKEN", default=None,
              help="METRICS_TOKEN or an admin's access token: adds each check's provider and detail.")
def health(url: str, timeout: float, token: str | None) -> None:
    """Ask a running server for its health. Exit 0 ok, 1 degraded, 2 down or unreachable."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(url.rstrip("/") + "/status/health", timeout=timeout, headers=headers)
        report = response.json()
        status = report["status"]
        checks = report["checks"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        click.echo(f"down: {url} unreachable or not ova ({type(error).__name__})")
        sys.exit(2)
    click.echo(f"{status}: {url}")
    for name, check in checks.items():
        click.echo(f"  {name:<10} {check.get('status'):<9} {check.get('latency_ms')} ms"
                   + (f"  {check['provider']}" if check.get("provider") else "")
                   + (f"  ({check['detail']})" if check.get("detail") else ""))
    sys.exit({"ok": 0, "degraded": 1}.get(status, 2))

"""Alembic environment, run through ``ova.adapters.sqlalchemy.migrator`` (no alembic.ini).

The URL comes from ``config.attributes["url"]`` or the ``sqlalchemy.url`` option. Sync drivers run
directly; async ones (``sqlite+aiosqlite``, ``mysql+aiomysql``) run through ``asyncio.run``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, create_engine, pool
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from ova.adapters.sqlalchemy.tables import metadata

config = context.config
url = make_url(config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or "")
is_sqlite = url.get_backend_name() == "sqlite"


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=is_sqlite,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


def run_online() -> None:
    if url.get_dialect().is_async:
        asyncio.run(run_async())
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

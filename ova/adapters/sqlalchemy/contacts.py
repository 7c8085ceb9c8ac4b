from __future__ import annotations

from typing import Any

import attrs
from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ova.adapters.sqlalchemy.tables import contact_messages as messages
from ova.application.ports.repositories import Page
from ova.domain.contact import ContactMessage
from ova.domain.errors import NotFound


def _to_message(row: Row[Any]) -> ContactMessage:
    return ContactMessage(
        id=row.id,
        nombre=row.nombre,
        apellido=row.apellido,
        email=row.email,
        asunto=row.asunto,
        mensaje=row.mensaje,
        leido=row.leido,
        respondido=row.respondido,
        fecha_envio=row.fecha_envio,
    )


def _values(message: ContactMessage) -> dict[str, Any]:
    values = attrs.asdict(message, recurse=False)
    del values["id"]
    return values


class SqlContactRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, message: ContactMessage) -> ContactMessage:
        result = await self._conn.execute(insert(messages).values(_values(message)))
        (message_id,) = result.inserted_primary_key or (None,)
        return attrs.evolve(message, id=message_id)

    async def get(self, message_id: int) -> ContactMessage | None:
        row = (await self._conn.execute(select(messages).where(messages.c.id == message_id))).first()
        return _to_message(row) if row else None

    async def list(self, *, skip: int, limit: int, unread_only: bool = False) -> Page[ContactMessage]:
        rows_query = (
            select(messages)
            .order_by(messages.c.fecha_envio.desc(), messages.c.id.desc())
            .offset(skip)
            .limit(limit)
        )
        count_query = select(func.count()).select_from(messages)
        if unread_only:
            rows_query = rows_query.where(messages.c.leido.is_(False))
            count_query = count_query.where(messages.c.leido.is_(False))
        rows = (await self._conn.execute(rows_query)).all()
        total = (await self._conn.execute(count_query)).scalar_one()
        return Page([_to_message(row) for row in rows], total)

    async def update(self, message: ContactMessage) -> ContactMessage:
        result = await self._conn.execute(
            update(messages).where(messages.c.id == message.id).values(_values(message))
        )
        if message.id is None or result.rowcount != 1:
            raise NotFound("Mensaje no encontrado.")
        return attrs.evolve(message)

    async def delete(self, message_id: int) -> bool:
        result = await self._conn.execute(delete(messages).where(messages.c.id == message_id))
        return result.rowcount == 1

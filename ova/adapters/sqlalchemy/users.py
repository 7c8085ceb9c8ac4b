from __future__ import annotations

from typing import Any

import attrs
from sqlalchemy import Row, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from ova.adapters.sqlalchemy.tables import users
from ova.application.ports.repositories import Page
from ova.domain.errors import EmailAlreadyRegistered, NotFound
from ova.domain.users import Role, User

LIKE_ESCAPE = "\\"


def contains_pattern(query: str) -> str:
    """``%query%`` for LIKE, lower-cased, with the wildcards the user typed taken literally."""
    escaped = (
        query.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def _to_user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        nombre=row.nombre,
        email=row.email,
        rol=Role(row.rol),
        activo=row.activo,
        fecha_registro=row.fecha_registro,
        password_hash=row.password_hash,
    )


def _values(user: User) -> dict[str, Any]:
    return {
        "nombre": user.nombre,
        "email": user.email,
        "rol": user.rol.value,
        "activo": user.activo,
        "fecha_registro": user.fecha_registro,
        "password_hash": user.password_hash,
    }


def _is_duplicate_email(error: IntegrityError) -> bool:
    message = str(error.orig).lower()
    return "email" in message and ("unique" in message or "duplicate" in message)


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, user: User) -> User:
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(insert(users).values(_values(user)))
        except IntegrityError as error:
            if _is_duplicate_email(error):
                raise EmailAlreadyRegistered() from None
            raise
        (user_id,) = result.inserted_primary_key or (None,)
        return attrs.evolve(user, id=user_id)

    async def get(self, user_id: int) -> User | None:
        row = (await self._conn.execute(select(users).where(users.c.id == user_id))).first()
        return _to_user(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        row = (await self._conn.execute(select(users).where(users.c.email == email))).first()
        return _to_user(row) if row else None

    async def list(self, *, skip: int, limit: int, query: str | None = None) -> Page[User]:
        condition: ColumnElement[bool] | None = None
        if query:
            pattern = contains_pattern(query)
            condition = or_(
                func.lower(users.c.nombre).like(pattern, escape=LIKE_ESCAPE),
                func.lower(users.c.email).like(pattern, escape=LIKE_ESCAPE),
            )
        rows_query = select(users).order_by(users.c.id).offset(skip).limit(limit)
        count_query = select(func.count()).select_from(users)
        if condition is not None:
            rows_query = rows_query.where(condition)
            count_query = count_query.where(condition)
        rows = (await self._conn.execute(rows_query)).all()
        total = (await self._conn.execute(count_query)).scalar_one()
        return Page([_to_user(row) for row in rows], total)

    async def update(self, user: User) -> User:
        if user.id is None:
            raise NotFound("Usuario no encontrado.")
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(
                    update(users).where(users.c.id == user.id).values(_values(user))
                )
        except IntegrityError as error:
            if _is_duplicate_email(error):
                raise EmailAlreadyRegistered() from None
            raise
        if result.rowcount != 1:
            raise NotFound("Usuario no encontrado.")
        return attrs.evolve(user)

    async def delete(self, user_id: int) -> bool:
        result = await self._conn.execute(delete(users).where(users.c.id == user_id))
        return result.rowcount == 1

    async def count_active_admins(self) -> int:
        query = (
            select(func.count())
            .select_from(users)
            .where(users.c.rol == Role.ADMIN.value, users.c.activo.is_(True))
            # a locking read on MariaDB: a concurrent demotion waits here for this transaction and then
            # counts what it committed (a plain read would count the snapshot: two admins for both)
            .with_for_update()
        )
        return (await self._conn.execute(query)).scalar_one()

"""Users of ova: people of the web app and the admins who run it."""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import define


class Role(enum.StrEnum):
    USER = "usuario"
    ADMIN = "admin"


@define
class User:
    """An account. Attribute names follow the published API's vocabulary (``nombre``, ``rol``).

    ``password_hash`` is ``None`` for contact-list entries an admin added without a password:
    they exist but cannot log in.
    """

    nombre: str
    email: str
    rol: Role
    activo: bool
    fecha_registro: datetime
    password_hash: str | None = None
    id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.rol is Role.ADMIN

    @property
    def is_active_admin(self) -> bool:
        return self.is_admin and self.activo

    @property
    def can_log_in(self) -> bool:
        return self.activo and self.password_hash is not None

from __future__ import annotations

from attrs import field, frozen

from ova.domain.text import Email, Password, Text
from ova.domain.users import Role


@frozen
class NewUser:
    """An account an admin adds. Without a password it is a contact-list entry that cannot log in."""

    nombre: str = field(validator=Text(min_length=1, max_length=100))
    email: str = field(validator=Email())
    password: str | None = field(default=None, validator=Password(), repr=False)
    rol: Role = Role.USER


@frozen
class UserChanges:
    """Fields to change; ``None`` leaves a field as it is. Only admins may change ``rol`` or ``activo``."""

    nombre: str | None = field(default=None, validator=Text(min_length=1, max_length=100))
    email: str | None = field(default=None, validator=Email())
    password: str | None = field(default=None, validator=Password(), repr=False)
    rol: Role | None = None
    activo: bool | None = None

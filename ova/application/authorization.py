"""Who may do what. Use cases call these before touching anything."""

from __future__ import annotations

from ova.domain.errors import Forbidden
from ova.domain.users import User


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("Esta operación requiere un administrador.")


def require_self_or_admin(actor: User, user_id: int) -> None:
    if actor.id != user_id and not actor.is_admin:
        raise Forbidden("Solo puedes ver o cambiar tu propia cuenta.")

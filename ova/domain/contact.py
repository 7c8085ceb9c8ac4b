"""Messages sent through the public contact form."""

from __future__ import annotations

from datetime import datetime

from attrs import define


@define
class ContactMessage:
    nombre: str
    email: str
    mensaje: str
    fecha_envio: datetime
    apellido: str = ""
    asunto: str = ""
    leido: bool = False
    respondido: bool = False
    id: int | None = None

"""Response shapes. The OpenAPI document is generated from these same classes."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from ova.domain.chat import Conversation, Turn
from ova.domain.contact import ContactMessage
from ova.domain.tokens import TokenPair
from ova.domain.users import Role, User


@frozen
class UserView:
    """An account as the API shows it. It never contains the password hash."""

    id: int
    nombre: str
    email: str
    rol: Role
    activo: bool
    fecha_registro: datetime
    tiene_password: bool

    @classmethod
    def of(cls, user: User) -> UserView:
        assert user.id is not None
        return cls(user.id, user.nombre, user.email, user.rol, user.activo, user.fecha_registro,
                   user.password_hash is not None)


@frozen
class TokenPairView:
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int

    @classmethod
    def of(cls, pair: TokenPair) -> TokenPairView:
        return cls(pair.access_token, pair.refresh_token, pair.token_type, pair.expires_in)


@frozen
class LoginView:
    """A token pair and the user it belongs to."""

    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    user: UserView

    @classmethod
    def of(cls, pair: TokenPair, user: User) -> LoginView:
        return cls(pair.access_token, pair.refresh_token, pair.token_type, pair.expires_in, UserView.of(user))


@frozen
class ContactView:
    id: int
    nombre: str
    apellido: str
    email: str
    asunto: str
    mensaje: str
    leido: bool
    respondido: bool
    fecha_envio: datetime

    @classmethod
    def of(cls, message: ContactMessage) -> ContactView:
        assert message.id is not None
        return cls(message.id, message.nombre, message.apellido, message.email, message.asunto,
                   message.mensaje, message.leido, message.respondido, message.fecha_envio)


@frozen
class ChatView:
    """A stored conversation. ``usuario_id`` is null for an anonymous chat (only admins see those);
    ``idioma`` is the language it is held in (``es``, ``en``; null for a chat from before chats had one)."""

    id: str
    titulo: str
    usuario_id: int | None
    mensajes: int
    fecha_creacion: datetime
    fecha_actualizacion: datetime
    idioma: str | None = None

    @classmethod
    def of(cls, conversation: Conversation) -> ChatView:
        language = conversation.language.value if conversation.language is not None else None
        return cls(conversation.id, conversation.title, conversation.owner_id, conversation.message_count,
                   conversation.created_at, conversation.updated_at, language)


@frozen
class ChatTurnView:
    """One message of a chat, in the shape of the WebSocket ``text`` frame."""

    id: int
    text: str
    is_user: bool
    timestamp: datetime

    @classmethod
    def of(cls, turn: Turn) -> ChatTurnView:
        assert turn.id is not None
        return cls(turn.id, turn.text, turn.is_user, turn.at)

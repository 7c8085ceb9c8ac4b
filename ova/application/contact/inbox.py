"""Use cases of the contact form and the admins' inbox."""

from __future__ import annotations

from attrs import frozen

from ova.application.authorization import require_admin
from ova.application.contact.commands import ContactForm, MessageFlags
from ova.application.ports.clock import Clock
from ova.application.ports.repositories import ContactRepository, Page
from ova.application.ports.shared_state import RateLimiter
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.contact import ContactMessage
from ova.domain.errors import NotFound, TooManyAttempts
from ova.domain.rate_limits import RateLimit
from ova.domain.users import User


async def _existing(messages: ContactRepository, message_id: int) -> ContactMessage:
    message = await messages.get(message_id)
    if message is None:
        raise NotFound("Mensaje no encontrado.")
    return message


@frozen
class SendContactMessage:
    """Anyone may write; a message acknowledged is committed. Limited per client address.

    Text fields are stored without leading or trailing whitespace, like user names (the validators
    already measure lengths on the trimmed text); inner spaces and line breaks are kept as sent."""

    uow: UnitOfWorkFactory
    limiter: RateLimiter
    clock: Clock
    limit: RateLimit

    async def __call__(self, form: ContactForm, *, client: str) -> ContactMessage:
        decision = await self.limiter.hit(self.limit, client)
        if not decision.allowed:
            raise TooManyAttempts(decision.retry_after_s, "Has enviado demasiados mensajes. Espera un poco.")
        async with self.uow() as uow:
            message = await uow.contacts.add(
                ContactMessage(
                    nombre=form.nombre.strip(),
                    apellido=form.apellido.strip(),
                    email=form.email.strip(),
                    asunto=form.asunto.strip(),
                    mensaje=form.mensaje.strip(),
                    fecha_envio=self.clock.now(),
                )
            )
            await uow.commit()
        return message


@frozen
class ListMessages:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, *, skip: int, limit: int, unread_only: bool = False) -> Page[ContactMessage]:
        require_admin(actor)
        async with self.uow(read_only=True) as uow:
            return await uow.contacts.list(skip=skip, limit=limit, unread_only=unread_only)


@frozen
class GetMessage:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, message_id: int) -> ContactMessage:
        require_admin(actor)
        async with self.uow(read_only=True) as uow:
            return await _existing(uow.contacts, message_id)


@frozen
class FlagMessage:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, message_id: int, flags: MessageFlags) -> ContactMessage:
        require_admin(actor)
        async with self.uow() as uow:
            message = await _existing(uow.contacts, message_id)
            if flags.leido is not None:
                message.leido = flags.leido
            if flags.respondido is not None:
                message.respondido = flags.respondido
            message = await uow.contacts.update(message)
            await uow.commit()
        return message


@frozen
class DeleteMessage:
    uow: UnitOfWorkFactory

    async def __call__(self, actor: User, message_id: int) -> None:
        require_admin(actor)
        async with self.uow() as uow:
            await _existing(uow.contacts, message_id)
            await uow.contacts.delete(message_id)
            await uow.commit()

from __future__ import annotations

from attrs import frozen

from ova.application.accounts.commands import Registration
from ova.application.ports.clock import Clock
from ova.application.ports.security import PasswordHasher
from ova.application.ports.shared_state import RateLimiter
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.errors import EmailAlreadyRegistered, TooManyAttempts
from ova.domain.rate_limits import RateLimit
from ova.domain.text import normalize_email
from ova.domain.users import Role, User


@frozen
class RegisterUser:
    """Anyone may open an account with the ``usuario`` role; registrations are limited per address."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    limiter: RateLimiter
    clock: Clock
    limit: RateLimit

    async def __call__(self, registration: Registration, *, client: str) -> User:
        email = normalize_email(registration.email)
        async with self.uow(read_only=True) as uow:
            if await uow.users.get_by_email(email) is not None:
                raise EmailAlreadyRegistered()
        decision = await self.limiter.hit(self.limit, client)
        if not decision.allowed:
            raise TooManyAttempts(decision.retry_after_s, "Demasiados registros desde esta dirección.")
        password_hash = await self.hasher.hash(registration.password)
        async with self.uow() as uow:
            user = await uow.users.add(
                User(
                    nombre=registration.nombre.strip(),
                    email=email,
                    rol=Role.USER,
                    activo=True,
                    fecha_registro=self.clock.now(),
                    password_hash=password_hash,
                )
            )
            await uow.commit()
        return user

from __future__ import annotations

from attrs import frozen

from ova.application.accounts.account_cache import account_changed
from ova.application.accounts.commands import Credentials
from ova.application.accounts.policies import LoginLimits
from ova.application.accounts.token_pairs import TokenPairs
from ova.application.ports.security import PasswordHasher
from ova.application.ports.shared_state import Counters, RateLimiter
from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.errors import AccountDisabled, InvalidCredentials, TooManyAttempts
from ova.domain.text import normalize_email
from ova.domain.tokens import TokenPair
from ova.domain.users import User


@frozen
class LoginResult:
    user: User
    tokens: TokenPair


@frozen
class LogIn:
    """Checks a password and starts a token family.

    An unknown email and a wrong password cost the same time and raise the same error. Failures are
    counted per client address and per account (see ``LoginLimits``); past either limit the answer
    is ``TooManyAttempts`` before any password is checked. A success clears neither count: the
    address count must not be cleared by a guesser's own account, and the account count bounds the
    guesses per window whatever the owner does.
    """

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    limiter: RateLimiter
    tokens: TokenPairs
    limits: LoginLimits
    versions: Counters

    async def __call__(self, credentials: Credentials, *, client: str) -> LoginResult:
        email = normalize_email(credentials.email)
        counted = ((self.limits.per_address, client), (self.limits.per_account, email))
        for limit, key in counted:
            decision = await self.limiter.peek(limit, key)
            if not decision.allowed:
                raise TooManyAttempts(decision.retry_after_s)

        async with self.uow(read_only=True) as uow:
            user = await uow.users.get_by_email(email)
        check = await self.hasher.verify(credentials.password, user.password_hash if user else None)
        if user is None or not check.ok:
            for limit, key in counted:
                await self.limiter.hit(limit, key)
            raise InvalidCredentials()
        if not user.activo:
            raise AccountDisabled()

        async with self.uow() as uow:
            if check.new_hash is not None:
                user.password_hash = check.new_hash
                user = await uow.users.update(user)
            pair = await self.tokens.start_family(uow, user)
            await uow.commit()
        if check.new_hash is not None and user.id is not None:  # the stored hash changed
            await account_changed(self.versions, user.id)
        return LoginResult(user=user, tokens=pair)

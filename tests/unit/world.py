"""The use cases as the container wires them, over in-memory fakes, as unit tests use them.

The world comes from ``ova.bootstrap.Container`` itself, with only the adapters that touch the outside
(clock, ids, database, password hashing) overridden: the shared state and the token codec are the
container's own, on the fake clock. A use case wired with the wrong port, clock or limit in the container
fails a unit test.
The rate limits come from the test ``Settings`` through the container's own providers.
"""

from __future__ import annotations

from attrs import define
from dependency_injector import providers

from ova.adapters.security.jwt_codec import JoseTokenCodec
from ova.adapters.state.memory import MemorySharedState
from ova.application.accounts.account_cache import AccountCache
from ova.application.accounts.authenticate import Authenticate
from ova.application.accounts.login import LogIn
from ova.application.accounts.logout import LogOut
from ova.application.accounts.refresh import RefreshTokens
from ova.application.accounts.register import RegisterUser
from ova.application.contact.inbox import (
    DeleteMessage,
    FlagMessage,
    GetMessage,
    ListMessages,
    SendContactMessage,
)
from ova.application.users.manage import CreateUser, DeleteUser, EnsureAdmin, GetUser, ListUsers, UpdateUser
from ova.bootstrap import Container
from ova.config.settings import AuthSettings, HttpSettings, Settings
from ova.domain.users import User
from tests.fakes.clock import FakeClock, SequentialIds
from tests.fakes.repositories import InMemoryUnitOfWorkFactory
from tests.fakes.security import FakePasswordHasher

SECRET = "unit-test-secret-that-is-long-enough-32"


@define
class World:
    clock: FakeClock
    uow: InMemoryUnitOfWorkFactory
    hasher: FakePasswordHasher
    state: MemorySharedState
    codec: JoseTokenCodec
    register: RegisterUser
    login: LogIn
    refresh: RefreshTokens
    logout: LogOut
    authenticate: Authenticate
    accounts: AccountCache
    list_users: ListUsers
    get_user: GetUser
    create_user: CreateUser
    update_user: UpdateUser
    delete_user: DeleteUser
    ensure_admin: EnsureAdmin
    send_message: SendContactMessage
    list_messages: ListMessages
    get_message: GetMessage
    flag_message: FlagMessage
    delete_message: DeleteMessage

    async def admin(self, email: str, password: str, nombre: str = "Administrador") -> User:
        """An admin made by ``ensure_admin`` (created, or an existing account promoted)."""
        ready = await self.ensure_admin(email, password, nombre)
        assert ready is not None
        return ready.user


def unit_settings(
    *, login_failures: int = 5, account_failures: int = 100, registrations: int = 100, contact_messages: int = 100,
) -> Settings:
    """Defaults, except a test secret and the limits a test chooses (the login window stays 15 minutes)."""
    return Settings(
        auth=AuthSettings(
            jwt_secret_key=SECRET, login_max_failures=login_failures,
            login_max_failures_per_account=account_failures, register_max_per_hour=registrations,
        ),
        http=HttpSettings(contact_max_per_hour=contact_messages),
    )


def unit_container(settings: Settings, clock: FakeClock) -> Container:
    """The application's container with fakes for everything outside the process."""
    container = Container(settings=settings)
    container.clock.override(providers.Object(clock))
    container.ids.override(providers.Object(SequentialIds("t")))
    container.uow.override(providers.Object(InMemoryUnitOfWorkFactory()))
    container.hasher.override(providers.Object(FakePasswordHasher()))
    return container


def build_world(
    *, login_failures: int = 5, account_failures: int = 100, registrations: int = 100, contact_messages: int = 100,
) -> World:
    clock = FakeClock()
    settings = unit_settings(
        login_failures=login_failures, account_failures=account_failures, registrations=registrations,
        contact_messages=contact_messages,
    )
    container = unit_container(settings, clock)
    return World(
        clock=clock,
        uow=container.uow(),
        hasher=container.hasher(),
        state=container.shared_state(),
        codec=container.codec(),
        register=container.register(),
        login=container.login(),
        refresh=container.refresh(),
        logout=container.logout(),
        authenticate=container.authenticate(),
        accounts=container.account_cache(),
        list_users=container.list_users(),
        get_user=container.get_user(),
        create_user=container.create_user(),
        update_user=container.update_user(),
        delete_user=container.delete_user(),
        ensure_admin=container.ensure_admin(),
        send_message=container.send_message(),
        list_messages=container.list_messages(),
        get_message=container.get_message(),
        flag_message=container.flag_message(),
        delete_message=container.delete_message(),
    )

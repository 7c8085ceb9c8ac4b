"""The use cases wired to in-memory adapters, as unit tests use them."""

from __future__ import annotations

from attrs import define

from ova.adapters.security.jwt_codec import JoseTokenCodec
from ova.adapters.state.memory import MemorySharedState
from ova.application.accounts.account_cache import AccountCache
from ova.application.accounts.authenticate import Authenticate
from ova.application.accounts.login import LogIn
from ova.application.accounts.logout import LogOut
from ova.application.accounts.policies import LoginLimits
from ova.application.accounts.refresh import RefreshTokens
from ova.application.accounts.register import RegisterUser
from ova.application.accounts.token_pairs import TokenPairs
from ova.application.contact.inbox import (
    DeleteMessage,
    FlagMessage,
    GetMessage,
    ListMessages,
    SendContactMessage,
)
from ova.application.users.manage import CreateUser, DeleteUser, EnsureAdmin, GetUser, ListUsers, UpdateUser
from ova.domain.rate_limits import RateLimit
from tests.fakes.clock import FakeClock, SequentialIds
from tests.fakes.repositories import InMemoryUnitOfWorkFactory
from tests.fakes.security import FakePasswordHasher


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


def build_world(*, login_failures: int = 5, registrations: int = 100, contact_messages: int = 100) -> World:
    clock = FakeClock()
    uow = InMemoryUnitOfWorkFactory()
    hasher = FakePasswordHasher()
    state = MemorySharedState(now=clock.now)
    codec = JoseTokenCodec(secret="unit-test-secret-that-is-long-enough-32", now=clock.now)
    pairs = TokenPairs(codec=codec, clock=clock, ids=SequentialIds("t"))
    accounts = AccountCache(clock)
    return World(
        clock=clock,
        uow=uow,
        hasher=hasher,
        state=state,
        codec=codec,
        register=RegisterUser(uow, hasher, state, clock, RateLimit("register", registrations, 3600)),
        login=LogIn(uow, hasher, state, pairs, LoginLimits.failures_per_window(login_failures, 900), state),
        refresh=RefreshTokens(uow, pairs, state),
        logout=LogOut(uow, codec, state),
        authenticate=Authenticate(codec, state, uow, accounts),
        accounts=accounts,
        list_users=ListUsers(uow),
        get_user=GetUser(uow),
        create_user=CreateUser(uow, hasher, clock),
        update_user=UpdateUser(uow, hasher, state),
        delete_user=DeleteUser(uow, state),
        ensure_admin=EnsureAdmin(uow, hasher, clock, state),
        send_message=SendContactMessage(uow, state, clock, RateLimit("contact", contact_messages, 3600)),
        list_messages=ListMessages(uow),
        get_message=GetMessage(uow),
        flag_message=FlagMessage(uow),
        delete_message=DeleteMessage(uow),
    )

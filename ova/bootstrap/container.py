"""The composition root: the one place that reads ``Settings`` and chooses adapters.

Tests override providers (``container.shared_state.override(...)``) to swap in fakes.
"""

from __future__ import annotations

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from ova.adapters.probes import DatabaseProbe, SharedStateProbe
from ova.adapters.security.jwt_codec import JoseTokenCodec
from ova.adapters.security.password_hasher import Argon2PasswordHasher
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.turn_journal import SqlTurnJournal
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWorkFactory
from ova.adapters.state.memory import MemorySharedState
from ova.adapters.state.redis import RedisSharedState
from ova.adapters.system import RandomIds, SystemClock
from ova.application.accounts.account_cache import AccountCache
from ova.application.accounts.authenticate import Authenticate
from ova.application.accounts.login import LogIn
from ova.application.accounts.logout import LogOut
from ova.application.accounts.policies import LoginLimits
from ova.application.accounts.refresh import RefreshTokens
from ova.application.accounts.register import RegisterUser
from ova.application.accounts.token_pairs import TokenPairs
from ova.application.chat.conversation import ChatPolicy, Converse
from ova.application.chat.history import ChatHistory, DeleteChat, ListChats
from ova.application.contact.inbox import DeleteMessage, FlagMessage, GetMessage, ListMessages, SendContactMessage
from ova.application.health import CheckHealth
from ova.application.ports.health import HealthProbe
from ova.application.ports.shared_state import SharedState
from ova.application.speech.use_cases import SynthesizeSpeech, TranscribeAudio
from ova.application.users.manage import CreateUser, DeleteUser, EnsureAdmin, GetUser, ListUsers, UpdateUser
from ova.application.vision.analyze import AnalyzeImage, DescribeImage, DetectObjects
from ova.application.vision.sign import DescribeSignModel, RecognizeSign
from ova.bootstrap.ai import AI, model_probes
from ova.config.settings import Settings
from ova.domain.rate_limits import RateLimit


def make_shared_state(redis_url: str | None) -> SharedState:
    """In-process memory by default; Redis when ``REDIS_URL`` is set (several workers or hosts)."""
    if redis_url:
        return RedisSharedState(redis_url)
    return MemorySharedState()


def health_probes_for(engine: AsyncEngine, state: SharedState, ai: AI, settings: Settings) -> list[HealthProbe]:
    return [DatabaseProbe(engine), SharedStateProbe(state), *model_probes(ai, settings.ai)]


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIds)

    engine = providers.Singleton(
        create_engine,
        url=settings.provided.database.url,
        pool_size=settings.provided.database.pool_size,
    )
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    turn_journal = providers.Singleton(SqlTurnJournal, engine)
    shared_state = providers.Singleton(make_shared_state, settings.provided.redis_url)

    hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.auth.password_time_cost,
        memory_kib=settings.provided.auth.password_memory_kib,
        max_concurrency=settings.provided.auth.password_concurrency,
    )
    codec = providers.Singleton(
        JoseTokenCodec,
        secret=settings.provided.auth.jwt_secret_key,
        algorithm=settings.provided.auth.jwt_algorithm,
        access_lifetime_s=settings.provided.auth.access_lifetime_s,
        refresh_lifetime_s=settings.provided.auth.refresh_lifetime_s,
    )
    token_pairs = providers.Singleton(TokenPairs, codec=codec, clock=clock, ids=ids)

    login_limits = providers.Singleton(
        LoginLimits.failures_per_window,
        settings.provided.auth.login_max_failures,
        settings.provided.auth.login_window_s,
    )
    register_limit = providers.Singleton(RateLimit, "register", settings.provided.auth.register_max_per_hour, 3600)
    contact_limit = providers.Singleton(RateLimit, "contact", settings.provided.http.contact_max_per_hour, 3600)

    register = providers.Singleton(RegisterUser, uow, hasher, shared_state, clock, register_limit)
    login = providers.Singleton(LogIn, uow, hasher, shared_state, token_pairs, login_limits, shared_state)
    refresh = providers.Singleton(RefreshTokens, uow, token_pairs, shared_state)
    logout = providers.Singleton(LogOut, uow, codec, shared_state)
    account_cache = providers.Singleton(AccountCache, clock)  # per process; versions in shared_state
    authenticate = providers.Singleton(Authenticate, codec, shared_state, uow, account_cache)

    list_users = providers.Singleton(ListUsers, uow)
    get_user = providers.Singleton(GetUser, uow)
    create_user = providers.Singleton(CreateUser, uow, hasher, clock)
    update_user = providers.Singleton(UpdateUser, uow, hasher, shared_state)
    delete_user = providers.Singleton(DeleteUser, uow, shared_state)
    ensure_admin = providers.Singleton(EnsureAdmin, uow, hasher, clock, shared_state)

    send_message = providers.Singleton(SendContactMessage, uow, shared_state, clock, contact_limit)
    list_messages = providers.Singleton(ListMessages, uow)
    get_message = providers.Singleton(GetMessage, uow)
    flag_message = providers.Singleton(FlagMessage, uow)
    delete_message = providers.Singleton(DeleteMessage, uow)

    ai = providers.Container(
        AI, settings=settings.provided.ai, chat_settings=settings.provided.chat,
        max_upload_bytes=settings.provided.http.max_upload_bytes,
    )
    min_confidence = settings.provided.ai.detection_min_confidence
    analyze_image = providers.Singleton(AnalyzeImage, ai.decoder, ai.detector, ai.captioner, min_confidence)
    detect_objects = providers.Singleton(DetectObjects, ai.decoder, ai.detector, min_confidence)
    describe_image = providers.Singleton(DescribeImage, ai.decoder, ai.detector, ai.captioner, min_confidence)
    recognize_sign = providers.Singleton(RecognizeSign, ai.decoder, ai.sign, settings.provided.ai.asl_min_confidence)
    describe_sign_model = providers.Singleton(DescribeSignModel, ai.sign)
    transcribe_audio = providers.Singleton(TranscribeAudio, ai.stt)
    synthesize_speech = providers.Singleton(SynthesizeSpeech, ai.tts)

    chat_policy = providers.Singleton(
        ChatPolicy, settings.provided.chat.system_prompt, settings.provided.chat.context_turns,
        settings.provided.chat.context_chars,
    )
    converse = providers.Singleton(Converse, uow, turn_journal, ai.chat, clock, ids, chat_policy)
    list_chats = providers.Singleton(ListChats, uow)
    chat_history = providers.Singleton(ChatHistory, uow)
    delete_chat = providers.Singleton(DeleteChat, uow)

    health_probes = providers.Singleton(health_probes_for, engine, shared_state, ai, settings)
    check_health = providers.Singleton(CheckHealth, health_probes)


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


async def close_container(container: Container) -> None:
    """Release what the singletons opened: the database pool and the shared-state connection; the chat
    turns handed to the journal are written first."""
    await container.turn_journal().aclose()
    await container.shared_state().aclose()
    await container.engine().dispose()
    await container.ai.http().aclose()

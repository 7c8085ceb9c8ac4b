"""The composition root: the one place that reads ``Settings`` and chooses adapters.

Every provider is wired by keyword. What must be closed (the database pool, the turn journal, the
shared state's connection, the HTTP client, the chat counters not yet published) has a ``Resource``
that the app's lifespan opens with ``init_resources()`` and closes with ``shutdown_resources()``, in
dependency order. Unit tests build their world from this container, overriding providers with ova's
fakes (``container.uow.override(providers.Object(...))``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from dependency_injector import containers, providers

import ova
from ova.adapters.probes import DatabaseProbe, SharedStateProbe
from ova.adapters.security.jwt_codec import JoseTokenCodec
from ova.adapters.security.password_hasher import Argon2PasswordHasher
from ova.adapters.sqlalchemy.database import SqlDatabase
from ova.adapters.sqlalchemy.engine import create_engine
from ova.adapters.sqlalchemy.turn_journal import SqlTurnJournal
from ova.adapters.sqlalchemy.unit_of_work import SqlUnitOfWorkFactory
from ova.adapters.state.memory import MemorySharedState
from ova.adapters.state.redis import RedisSharedState
from ova.adapters.system import RandomIds, SystemClock
from ova.adapters.telemetry.chat_telemetry import ChatTelemetry
from ova.adapters.telemetry.http_metrics import HttpMetrics
from ova.adapters.telemetry.instance_info import InstanceInfo
from ova.adapters.telemetry.multiprocess import multiprocess_directory
from ova.adapters.telemetry.shared_http_metrics import SharedHttpMetrics
from ova.application.accounts.account_cache import AccountCache
from ova.application.accounts.authenticate import Authenticate
from ova.application.accounts.login import LogIn
from ova.application.accounts.logout import LogOut
from ova.application.accounts.policies import LoginLimits
from ova.application.accounts.purge_sessions import PurgeExpiredSessions
from ova.application.accounts.refresh import RefreshTokens
from ova.application.accounts.register import RegisterUser
from ova.application.accounts.token_pairs import TokenPairs
from ova.application.chat.conversation import ChatPolicy, Converse
from ova.application.chat.history import ChatHistory, DeleteChat, ListChats
from ova.application.chat.photo import PhotoChat
from ova.application.chat.registry import ChatRegistry, watchdog_tick_s
from ova.application.chat.voice import VoiceChat
from ova.application.contact.inbox import DeleteMessage, FlagMessage, GetMessage, ListMessages, SendContactMessage
from ova.application.health import CheckHealth
from ova.application.ports.database import Database
from ova.application.ports.health import HealthProbe
from ova.application.ports.shared_state import SharedState
from ova.application.speech.sentences import SpeakSentences
from ova.application.speech.use_cases import SynthesizeSpeech, TranscribeAudio
from ova.application.users.manage import CreateUser, DeleteUser, EnsureAdmin, GetUser, ListUsers, UpdateUser
from ova.application.vision.analyze import AnalyzeImage, DescribeImage, DetectObjects
from ova.application.vision.read_text import ReadTextInImage
from ova.application.vision.sign import DescribeSignModel, RecognizeSign
from ova.bootstrap.ai import AI, loadable_models, model_probes, readiness_model_probes
from ova.bootstrap.chat import ChatServices, max_photo_bytes
from ova.bootstrap.housekeeping import Housekeeping
from ova.config.settings import Settings
from ova.domain.rate_limits import RateLimit

T = TypeVar("T")


def make_shared_state(redis_url: str | None, now: Callable[[], datetime], *, timeout_s: float = 2.0) -> SharedState:
    """In-process memory (on the container's clock) by default; Redis when ``REDIS_URL`` is set
    (several workers or hosts: Redis keeps time itself), each operation bounded by ``timeout_s``."""
    if redis_url:
        return RedisSharedState(redis_url, timeout_s=timeout_s)
    return MemorySharedState(now=now)


async def closed_at_exit(
    resource: T, close: Callable[[T], Awaitable[object]], **opened_after: object,
) -> AsyncIterator[T]:
    """A ``Resource`` for an object built by a plain provider: nothing to do at start (so the object
    stays usable synchronously from anywhere), ``close(resource)`` at shutdown. ``opened_after`` names
    the resources this one must be closed before."""
    try:
        yield resource
    finally:
        await close(resource)


def health_probes_for(database: Database, state: SharedState, ai: AI, settings: Settings) -> list[HealthProbe]:
    return [DatabaseProbe(database), SharedStateProbe(state), *model_probes(ai, settings.ai)]


def readiness_probes(probes: list[HealthProbe], ai: Any, settings: Settings) -> list[HealthProbe]:
    """What readiness checks: the dependencies without which no request can be served (the critical
    health probes: database, shared state), and the chat model (``readiness_model_probes``)."""
    return [*(probe for probe in probes if probe.critical), *readiness_model_probes(ai, settings.ai)]


def _dispose(engine: Any) -> Awaitable[None]:
    return engine.dispose()  # type: ignore[no-any-return]


def _aclose(closable: Any) -> Awaitable[None]:
    return closable.aclose()  # type: ignore[no-any-return]


def _close(telemetry: Any) -> Awaitable[None]:
    return telemetry.close()  # type: ignore[no-any-return]


def http_metrics_for(instance: str | None) -> HttpMetrics | SharedHttpMetrics:
    """This process's series, or with several workers (prometheus-client's multiprocess mode, which
    ``ova serve`` sets up) the whole server's."""
    info = InstanceInfo(instance or socket.gethostname(), ova.__version__)
    directory = multiprocess_directory()
    if directory is None:
        return HttpMetrics(info=info)
    return SharedHttpMetrics(directory, info=info)


def process_name() -> str:
    """This process among all of a deployment's: host and pid (a worker's own, once it runs)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIds)

    # --- storage and shared state ---------------------------------------------------------------
    engine = providers.Singleton(
        create_engine, url=settings.provided.database.url, pool_size=settings.provided.database.pool_size,
        timeout_s=settings.provided.database.timeout_s,
    )
    database = providers.Singleton(SqlDatabase, engine=engine)
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine=engine)
    turn_journal = providers.Singleton(SqlTurnJournal, engine=engine)
    shared_state = providers.Singleton(make_shared_state, redis_url=settings.provided.redis_url,
                                       now=clock.provided.now, timeout_s=settings.provided.redis_timeout_s)

    # --- what is closed at shutdown, in this order: chat counters, journal, then pool and state --
    engine_resource = providers.Resource(closed_at_exit, resource=engine, close=_dispose)
    journal_resource = providers.Resource(closed_at_exit, resource=turn_journal, close=_aclose,
                                          engine=engine_resource)
    shared_state_resource = providers.Resource(closed_at_exit, resource=shared_state, close=_aclose)

    # --- accounts ---------------------------------------------------------------------------------
    hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.auth.password_time_cost,
        memory_kib=settings.provided.auth.password_memory_kib,
        max_concurrency=settings.provided.auth.password_concurrency,
        max_waiting=settings.provided.auth.password_waiting,
    )
    codec = providers.Singleton(
        JoseTokenCodec,
        secret=settings.provided.auth.jwt_secret_key,
        previous_secrets=settings.provided.auth.jwt_previous_secret_keys,
        algorithm=settings.provided.auth.jwt_algorithm,
        access_lifetime_s=settings.provided.auth.access_lifetime_s,
        refresh_lifetime_s=settings.provided.auth.refresh_lifetime_s,
        now=clock.provided.now,
    )
    token_pairs = providers.Singleton(TokenPairs, codec=codec, clock=clock, ids=ids)

    login_limits = providers.Singleton(
        LoginLimits.failures_per_window,
        failures=settings.provided.auth.login_max_failures,
        window_s=settings.provided.auth.login_window_s,
        account_failures=settings.provided.auth.login_max_failures_per_account,
    )
    register_limit = providers.Singleton(
        RateLimit, name="register", amount=settings.provided.auth.register_max_per_hour, period_s=3600)
    contact_limit = providers.Singleton(
        RateLimit, name="contact", amount=settings.provided.http.contact_max_per_hour, period_s=3600)

    register = providers.Singleton(RegisterUser, uow=uow, hasher=hasher, limiter=shared_state, clock=clock,
                                   limit=register_limit)
    login = providers.Singleton(LogIn, uow=uow, hasher=hasher, limiter=shared_state, tokens=token_pairs,
                                limits=login_limits, versions=shared_state)
    refresh = providers.Singleton(RefreshTokens, uow=uow, tokens=token_pairs, revocations=shared_state)
    logout = providers.Singleton(LogOut, uow=uow, codec=codec, revocations=shared_state)
    account_cache = providers.Singleton(AccountCache, clock=clock)  # per process; versions in shared_state
    authenticate = providers.Singleton(Authenticate, codec=codec, state=shared_state, uow=uow, accounts=account_cache)
    purge_sessions = providers.Singleton(PurgeExpiredSessions, uow=uow, clock=clock)

    list_users = providers.Singleton(ListUsers, uow=uow)
    get_user = providers.Singleton(GetUser, uow=uow)
    create_user = providers.Singleton(CreateUser, uow=uow, hasher=hasher, clock=clock)
    update_user = providers.Singleton(UpdateUser, uow=uow, hasher=hasher, versions=shared_state,
                                      revocations=shared_state)
    delete_user = providers.Singleton(DeleteUser, uow=uow, versions=shared_state)
    ensure_admin = providers.Singleton(EnsureAdmin, uow=uow, hasher=hasher, clock=clock, versions=shared_state,
                                       revocations=shared_state)

    send_message = providers.Singleton(SendContactMessage, uow=uow, limiter=shared_state, clock=clock,
                                       limit=contact_limit)
    list_messages = providers.Singleton(ListMessages, uow=uow)
    get_message = providers.Singleton(GetMessage, uow=uow)
    flag_message = providers.Singleton(FlagMessage, uow=uow)
    delete_message = providers.Singleton(DeleteMessage, uow=uow)

    # --- AI ---------------------------------------------------------------------------------------
    ai = providers.Container(
        AI, settings=settings.provided.ai, chat_settings=settings.provided.chat,
        max_upload_bytes=settings.provided.http.max_upload_bytes, default_language=settings.provided.default_language,
    )
    http_resource = providers.Resource(closed_at_exit, resource=ai.http, close=_aclose)
    model_store = ai.model_store
    local_models = providers.Callable(loadable_models, ai=ai)
    """The local models in use (directly or as fallbacks), loaded before the first request."""

    min_confidence = settings.provided.ai.detection_min_confidence
    analyze_image = providers.Singleton(AnalyzeImage, decoder=ai.decoder, detector=ai.detector,
                                        captioner=ai.captioner, reader=ai.ocr, min_confidence=min_confidence)
    read_text = providers.Singleton(ReadTextInImage, decoder=ai.decoder, reader=ai.ocr)
    detect_objects = providers.Singleton(DetectObjects, decoder=ai.decoder, detector=ai.detector,
                                         min_confidence=min_confidence)
    describe_image = providers.Singleton(DescribeImage, decoder=ai.decoder, detector=ai.detector,
                                         captioner=ai.captioner, min_confidence=min_confidence)
    recognize_sign = providers.Singleton(RecognizeSign, decoder=ai.decoder, recognizer=ai.sign,
                                         min_confidence=settings.provided.ai.asl_min_confidence)
    describe_sign_model = providers.Singleton(DescribeSignModel, recognizer=ai.sign)
    transcribe_audio = providers.Singleton(TranscribeAudio, stt=ai.stt,
                                           default_language=settings.provided.default_language)
    synthesize_speech = providers.Singleton(SynthesizeSpeech, tts=ai.tts,
                                            default_language=settings.provided.default_language)

    # --- chat -------------------------------------------------------------------------------------
    chat_policy = providers.Singleton(
        ChatPolicy, system_prompt=settings.provided.chat.system_prompt,
        system_prompts=settings.provided.chat.system_prompts, default_language=settings.provided.default_language,
        context_turns=settings.provided.chat.context_turns, context_chars=settings.provided.chat.context_chars,
    )
    converse = providers.Singleton(Converse, uow=uow, journal=turn_journal, model=ai.chat, clock=clock, ids=ids,
                                   policy=chat_policy)
    list_chats = providers.Singleton(ListChats, uow=uow)
    chat_history = providers.Singleton(ChatHistory, uow=uow)
    delete_chat = providers.Singleton(DeleteChat, uow=uow)

    # --- operations -------------------------------------------------------------------------------
    http_metrics = providers.Singleton(http_metrics_for, instance=settings.provided.instance)
    chat_telemetry = providers.Singleton(
        ChatTelemetry, counters=shared_state, registry=http_metrics.provided.registry, leases=shared_state,
        holder=providers.Callable(process_name), lease_ttl_s=settings.provided.chat.lease_ttl_s)
    chat_telemetry_resource = providers.Resource(closed_at_exit, resource=chat_telemetry, close=_close,
                                                 state=shared_state_resource)
    chat_registry = providers.Singleton(
        ChatRegistry,
        tick_s=providers.Callable(watchdog_tick_s, send_timeout_s=settings.provided.chat.send_timeout_s,
                                  idle_timeout_s=settings.provided.chat.idle_timeout_s),
    )
    speak_sentences = providers.Singleton(SpeakSentences, tts=ai.tts)
    voice_chat = providers.Singleton(VoiceChat, transcribe=transcribe_audio, converse=converse,
                                     synthesize=synthesize_speech, speak_sentences=speak_sentences,
                                     default_language=settings.provided.default_language)
    photo_chat = providers.Singleton(PhotoChat, converse=converse, analyze=analyze_image)
    chat_services = providers.Singleton(
        ChatServices, converse=converse, authenticate=authenticate, voice=voice_chat, telemetry=chat_telemetry,
        settings=settings.provided.chat, photo=photo_chat,
        max_photo_bytes=providers.Callable(max_photo_bytes, max_upload_bytes=settings.provided.http.max_upload_bytes,
                                           max_audio_bytes=settings.provided.chat.max_audio_bytes),
    )

    housekeeping = providers.Singleton(
        Housekeeping, purge_sessions=purge_sessions, interval_s=settings.provided.auth.session_purge_interval_s)
    health_probes = providers.Singleton(health_probes_for, database=database, state=shared_state, ai=ai,
                                        settings=settings)
    check_health = providers.Singleton(CheckHealth, probes=health_probes)
    check_readiness = providers.Singleton(
        CheckHealth, probes=providers.Callable(readiness_probes, probes=health_probes, ai=ai, settings=settings))


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)

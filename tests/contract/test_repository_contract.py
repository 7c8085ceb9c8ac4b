"""One contract for every persistence adapter: the in-memory fakes, SQLite and MariaDB."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ova.application.ports.unit_of_work import UnitOfWorkFactory
from ova.domain.contact import ContactMessage
from ova.domain.errors import EmailAlreadyRegistered, NotFound
from ova.domain.tokens import RefreshSession
from ova.domain.users import Role, User

NOW = datetime(2026, 3, 1, 12, 30, 45, 123456, tzinfo=UTC)
UNICODE_TEXT = "Zoë Ñandú 😀👩🏽‍💻 漢字 e\u0301 \"quotes\" 'single' \\ back\nline\ttab"


def a_user(
    email: str = "ana@example.com",
    nombre: str = "Ana",
    rol: Role = Role.USER,
    activo: bool = True,
    password_hash: str | None = "$argon2id$v=19$hash",
) -> User:
    return User(
        nombre=nombre, email=email, rol=rol, activo=activo, fecha_registro=NOW, password_hash=password_hash
    )


def a_message(nombre: str = "Ana", fecha_envio: datetime = NOW, leido: bool = False) -> ContactMessage:
    return ContactMessage(
        nombre=nombre,
        apellido="García",
        email="ana@example.com",
        asunto="Hola",
        mensaje="Un mensaje de prueba.",
        fecha_envio=fecha_envio,
        leido=leido,
    )


def a_session(family: str, user_id: int, jti: str = "jti-1", expires_at: datetime = NOW) -> RefreshSession:
    return RefreshSession(family=family, user_id=user_id, current_jti=jti, expires_at=expires_at)


async def add_users(uow_factory: UnitOfWorkFactory, *users: User) -> list[User]:
    async with uow_factory() as uow:
        stored = [await uow.users.add(user) for user in users]
        await uow.commit()
    return stored


# --- users -----------------------------------------------------------------------------------------


async def test_add_user_returns_it_with_an_id_and_get_reads_it_back(uow_factory: UnitOfWorkFactory) -> None:
    (ana,) = await add_users(uow_factory, a_user())
    assert ana.id is not None
    async with uow_factory() as uow:
        assert await uow.users.get(ana.id) == ana
        assert await uow.users.get_by_email("ana@example.com") == ana


async def test_get_unknown_user_returns_none(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.users.get(987654) is None
        assert await uow.users.get_by_email("nobody@example.com") is None


async def test_user_without_password_round_trips_with_none_hash(uow_factory: UnitOfWorkFactory) -> None:
    (entry,) = await add_users(uow_factory, a_user(password_hash=None))
    async with uow_factory() as uow:
        stored = await uow.users.get(entry.id)  # type: ignore[arg-type]
    assert stored is not None
    assert stored.password_hash is None
    assert not stored.can_log_in


async def test_duplicate_email_raises_and_the_transaction_stays_usable(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.users.add(a_user())
        with pytest.raises(EmailAlreadyRegistered):
            await uow.users.add(a_user(nombre="Otra Ana"))
        await uow.users.add(a_user(email="bea@example.com", nombre="Bea"))
        await uow.commit()
    async with uow_factory() as uow:
        page = await uow.users.list(skip=0, limit=10)
    assert [(u.nombre, u.email) for u in page.items] == [
        ("Ana", "ana@example.com"),
        ("Bea", "bea@example.com"),
    ]


async def test_emails_that_differ_only_by_an_accent_are_different_users(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await add_users(uow_factory, a_user(email="jose@example.com"), a_user(email="josé@example.com"))
    async with uow_factory() as uow:
        found = await uow.users.get_by_email("josé@example.com")
    assert found is not None
    assert found.email == "josé@example.com"


async def test_ids_of_deleted_users_are_never_reused(uow_factory: UnitOfWorkFactory) -> None:
    (first,) = await add_users(uow_factory, a_user())
    async with uow_factory() as uow:
        assert await uow.users.delete(first.id)  # type: ignore[arg-type]
        await uow.commit()
    (second,) = await add_users(uow_factory, a_user())
    assert second.id is not None
    assert first.id is not None
    assert second.id > first.id


async def test_list_users_orders_by_id_and_pages_with_the_total(uow_factory: UnitOfWorkFactory) -> None:
    stored = await add_users(
        uow_factory, *(a_user(email=f"u{i}@example.com", nombre=f"U{i}") for i in range(5))
    )
    async with uow_factory() as uow:
        page = await uow.users.list(skip=1, limit=2)
        rest = await uow.users.list(skip=4, limit=10)
        beyond = await uow.users.list(skip=10, limit=10)
    assert [u.id for u in page.items] == [stored[1].id, stored[2].id]
    assert page.total == 5
    assert [u.id for u in rest.items] == [stored[4].id]
    assert (list(beyond.items), beyond.total) == ([], 5)


async def test_list_users_query_matches_name_or_email_ignoring_case(uow_factory: UnitOfWorkFactory) -> None:
    await add_users(
        uow_factory,
        a_user(email="ana@example.com", nombre="Ana Pérez"),
        a_user(email="bea@corp.test", nombre="Beatriz"),
        a_user(email="carlos@example.com", nombre="CARLOS PÉREZ"),
        a_user(email="dani@other.test", nombre="Álvaro"),
    )
    async with uow_factory() as uow:
        by_name = await uow.users.list(skip=0, limit=10, query="pérez")
        by_email = await uow.users.list(skip=0, limit=10, query="CORP.TEST")
        non_ascii_case = await uow.users.list(skip=0, limit=10, query="álvaro")
        paged = await uow.users.list(skip=1, limit=1, query="PÉREZ")
    assert [u.email for u in by_name.items] == ["ana@example.com", "carlos@example.com"]
    assert by_name.total == 2
    assert [u.email for u in by_email.items] == ["bea@corp.test"]
    assert [u.nombre for u in non_ascii_case.items] == ["Álvaro"]
    assert ([u.email for u in paged.items], paged.total) == (["carlos@example.com"], 2)


async def test_list_users_query_takes_like_wildcards_literally(uow_factory: UnitOfWorkFactory) -> None:
    await add_users(
        uow_factory,
        a_user(email="a_b@example.com", nombre="Guion"),
        a_user(email="axb@example.com", nombre="Equis"),
        a_user(email="pct@example.com", nombre="50% off"),
        a_user(email="bs@example.com", nombre="back\\slash"),
    )
    async with uow_factory() as uow:
        underscore = await uow.users.list(skip=0, limit=10, query="a_b")
        percent = await uow.users.list(skip=0, limit=10, query="%")
        backslash = await uow.users.list(skip=0, limit=10, query="\\")
    assert [u.email for u in underscore.items] == ["a_b@example.com"]
    assert [u.email for u in percent.items] == ["pct@example.com"]
    assert [u.email for u in backslash.items] == ["bs@example.com"]


async def test_update_user_saves_every_field(uow_factory: UnitOfWorkFactory) -> None:
    (ana,) = await add_users(uow_factory, a_user())
    changed = User(
        id=ana.id,
        nombre="Ana María",
        email="ana.maria@example.com",
        rol=Role.ADMIN,
        activo=False,
        fecha_registro=NOW + timedelta(seconds=1),
        password_hash=None,
    )
    async with uow_factory() as uow:
        assert await uow.users.update(changed) == changed
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get(ana.id) == changed  # type: ignore[arg-type]
        assert await uow.users.get_by_email("ana@example.com") is None


async def test_update_user_without_changes_succeeds(uow_factory: UnitOfWorkFactory) -> None:
    (ana,) = await add_users(uow_factory, a_user())
    async with uow_factory() as uow:
        assert await uow.users.update(ana) == ana


async def test_update_unknown_user_raises_not_found(uow_factory: UnitOfWorkFactory) -> None:
    ghost = a_user()
    ghost.id = 987654
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await uow.users.update(ghost)


async def test_update_to_a_taken_email_raises_and_the_transaction_stays_usable(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ana, bea = await add_users(uow_factory, a_user(), a_user(email="bea@example.com", nombre="Bea"))
    bea.email = "ana@example.com"
    async with uow_factory() as uow:
        with pytest.raises(EmailAlreadyRegistered):
            await uow.users.update(bea)
        ana.nombre = "Ana Renamed"
        await uow.users.update(ana)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.users.get(ana.id)).nombre == "Ana Renamed"  # type: ignore[arg-type, union-attr]
        assert (await uow.users.get(bea.id)).email == "bea@example.com"  # type: ignore[arg-type, union-attr]


async def test_delete_user_removes_them_and_their_refresh_sessions(uow_factory: UnitOfWorkFactory) -> None:
    ana, bea = await add_users(uow_factory, a_user(), a_user(email="bea@example.com"))
    async with uow_factory() as uow:
        await uow.refresh_sessions.add(a_session("fam-ana", ana.id))  # type: ignore[arg-type]
        await uow.refresh_sessions.add(a_session("fam-bea", bea.id))  # type: ignore[arg-type]
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.delete(ana.id) is True  # type: ignore[arg-type]
        assert await uow.users.delete(ana.id) is False  # type: ignore[arg-type]
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get(ana.id) is None  # type: ignore[arg-type]
        assert await uow.refresh_sessions.get("fam-ana") is None
        assert await uow.refresh_sessions.get("fam-bea") is not None


async def test_count_active_admins_ignores_inactive_admins_and_users(uow_factory: UnitOfWorkFactory) -> None:
    await add_users(
        uow_factory,
        a_user(email="a1@example.com", rol=Role.ADMIN),
        a_user(email="a2@example.com", rol=Role.ADMIN),
        a_user(email="a3@example.com", rol=Role.ADMIN, activo=False),
        a_user(email="u1@example.com", rol=Role.USER),
    )
    async with uow_factory() as uow:
        assert await uow.users.count_active_admins() == 2


# --- text and time ------------------------------------------------------------------------------


async def test_unicode_text_round_trips_exactly(uow_factory: UnitOfWorkFactory) -> None:
    long_text = (UNICODE_TEXT + " ") * 60
    (user,) = await add_users(uow_factory, a_user(nombre="Zoë 😀 漢字 e\u0301", email="zoë😀@example.com"))
    async with uow_factory() as uow:
        message = await uow.contacts.add(
            ContactMessage(
                nombre="Zoë 😀",
                apellido="Ñandú 👩🏽‍💻",
                email="zoë@example.com",
                asunto="¿Qué tal? 🎉",
                mensaje=long_text,
                fecha_envio=NOW,
            )
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get_by_email("zoë😀@example.com") == user
        stored = await uow.contacts.get(message.id)  # type: ignore[arg-type]
    assert stored == message
    assert stored is not None
    assert stored.mensaje == long_text


async def test_datetimes_come_back_as_the_same_aware_utc_instant(uow_factory: UnitOfWorkFactory) -> None:
    madrid_summer = timezone(timedelta(hours=2))
    sent = datetime(2026, 7, 14, 23, 59, 58, 999999, tzinfo=madrid_summer)
    (ana,) = await add_users(uow_factory, a_user())
    async with uow_factory() as uow:
        message = await uow.contacts.add(a_message(fecha_envio=sent))
        await uow.refresh_sessions.add(a_session("fam", ana.id, expires_at=sent))  # type: ignore[arg-type]
        await uow.commit()
    async with uow_factory() as uow:
        user = await uow.users.get(ana.id)  # type: ignore[arg-type]
        stored_message = await uow.contacts.get(message.id)  # type: ignore[arg-type]
        session = await uow.refresh_sessions.get("fam")
    assert user is not None
    assert stored_message is not None
    assert session is not None
    for value, expected in [
        (user.fecha_registro, NOW),
        (stored_message.fecha_envio, sent),
        (session.expires_at, sent),
    ]:
        assert value == expected
        assert value.utcoffset() == timedelta(0)
        assert value.microsecond == expected.astimezone(UTC).microsecond


# --- contact messages ---------------------------------------------------------------------------


async def test_contact_message_add_get_update_delete(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        message = await uow.contacts.add(a_message())
        assert message.id is not None
        assert await uow.contacts.get(message.id) == message
        message.leido = True
        message.respondido = True
        assert await uow.contacts.update(message) == message
        assert await uow.contacts.get(message.id) == message
        assert await uow.contacts.delete(message.id) is True
        assert await uow.contacts.delete(message.id) is False
        assert await uow.contacts.get(message.id) is None


async def test_update_unknown_contact_message_raises_not_found(uow_factory: UnitOfWorkFactory) -> None:
    ghost = a_message()
    ghost.id = 987654
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await uow.contacts.update(ghost)


async def test_contact_list_is_newest_first_then_by_id_and_filters_unread(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        old = await uow.contacts.add(a_message("old", NOW - timedelta(days=1)))
        tie_a = await uow.contacts.add(a_message("tie-a", NOW, leido=True))
        tie_b = await uow.contacts.add(a_message("tie-b", NOW))
        newest = await uow.contacts.add(a_message("newest", NOW + timedelta(microseconds=1), leido=True))
        await uow.commit()
    async with uow_factory() as uow:
        everything = await uow.contacts.list(skip=0, limit=10)
        second_page = await uow.contacts.list(skip=2, limit=1)
        unread = await uow.contacts.list(skip=0, limit=10, unread_only=True)
    assert [m.id for m in everything.items] == [newest.id, tie_b.id, tie_a.id, old.id]
    assert everything.total == 4
    assert ([m.id for m in second_page.items], second_page.total) == ([tie_a.id], 4)
    assert ([m.id for m in unread.items], unread.total) == ([tie_b.id, old.id], 2)


# --- refresh sessions ---------------------------------------------------------------------------


async def test_refresh_session_rotation(uow_factory: UnitOfWorkFactory) -> None:
    (ana,) = await add_users(uow_factory, a_user())
    later = NOW + timedelta(days=7)
    async with uow_factory() as uow:
        session = a_session("fam", ana.id, jti="jti-1")  # type: ignore[arg-type]
        await uow.refresh_sessions.add(session)
        assert await uow.refresh_sessions.get("fam") == session
        assert await uow.refresh_sessions.get("unknown") is None

        assert await uow.refresh_sessions.rotate(
            "fam", expected_jti="jti-1", new_jti="jti-2", expires_at=later
        )
        rotated = await uow.refresh_sessions.get("fam")
        assert rotated == RefreshSession("fam", ana.id, "jti-2", later)  # type: ignore[arg-type]

        reused = await uow.refresh_sessions.rotate("fam", expected_jti="jti-1", new_jti="x", expires_at=later)
        unknown = await uow.refresh_sessions.rotate(
            "nope", expected_jti="jti-2", new_jti="x", expires_at=later
        )
        assert (reused, unknown) == (False, False)
        assert await uow.refresh_sessions.get("fam") == rotated


async def test_revoked_refresh_session_cannot_rotate(uow_factory: UnitOfWorkFactory) -> None:
    (ana,) = await add_users(uow_factory, a_user())
    async with uow_factory() as uow:
        await uow.refresh_sessions.add(a_session("fam", ana.id, jti="jti-1"))  # type: ignore[arg-type]
        await uow.refresh_sessions.revoke("fam")
        await uow.refresh_sessions.revoke("unknown")
        session = await uow.refresh_sessions.get("fam")
        assert session is not None
        assert session.revoked
        assert not await uow.refresh_sessions.rotate(
            "fam", expected_jti="jti-1", new_jti="jti-2", expires_at=NOW
        )
        assert (await uow.refresh_sessions.get("fam")).current_jti == "jti-1"  # type: ignore[union-attr]


async def test_revoke_all_for_user_touches_only_that_users_sessions(uow_factory: UnitOfWorkFactory) -> None:
    ana, bea = await add_users(uow_factory, a_user(), a_user(email="bea@example.com"))
    async with uow_factory() as uow:
        for family, owner in [("a1", ana), ("a2", ana), ("b1", bea)]:
            await uow.refresh_sessions.add(a_session(family, owner.id))  # type: ignore[arg-type]
        await uow.refresh_sessions.revoke_all_for_user(ana.id)  # type: ignore[arg-type]
        await uow.commit()
    async with uow_factory() as uow:
        revoked = {f: (await uow.refresh_sessions.get(f)).revoked for f in ["a1", "a2", "b1"]}  # type: ignore[union-attr]
    assert revoked == {"a1": True, "a2": True, "b1": False}


async def test_revoke_all_for_user_keeps_one_family_and_returns_the_revoked_ones(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ana, bea = await add_users(uow_factory, a_user(), a_user(email="bea@example.com"))
    async with uow_factory() as uow:
        for family, owner in [("a1", ana), ("a2", ana), ("a3", ana), ("b1", bea)]:
            await uow.refresh_sessions.add(a_session(family, owner.id))  # type: ignore[arg-type]
        await uow.refresh_sessions.revoke("a3")
        await uow.commit()
    async with uow_factory() as uow:
        ended = await uow.refresh_sessions.revoke_all_for_user(ana.id, keep="a1")  # type: ignore[arg-type]
        await uow.commit()
    assert sorted(s.family for s in ended) == ["a2", "a3"]
    assert all(s.revoked and s.user_id == ana.id and s.expires_at is not None for s in ended)
    async with uow_factory() as uow:
        revoked = {f: (await uow.refresh_sessions.get(f)).revoked for f in ["a1", "a2", "b1"]}  # type: ignore[union-attr]
    assert revoked == {"a1": False, "a2": True, "b1": False}


async def test_delete_expired_removes_sessions_expiring_at_or_before_now(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (ana,) = await add_users(uow_factory, a_user())
    async with uow_factory() as uow:
        for family, delta in [
            ("past", -timedelta(days=1)),
            ("now", timedelta(0)),
            ("future", timedelta(seconds=1)),
        ]:
            await uow.refresh_sessions.add(a_session(family, ana.id, expires_at=NOW + delta))  # type: ignore[arg-type]
        assert await uow.refresh_sessions.delete_expired(NOW) == 2
        assert await uow.refresh_sessions.delete_expired(NOW) == 0
        assert await uow.refresh_sessions.get("past") is None
        assert await uow.refresh_sessions.get("now") is None
        assert await uow.refresh_sessions.get("future") is not None


async def test_delete_expired_is_committed_and_takes_revoked_sessions_but_not_live_ones(
    uow_factory: UnitOfWorkFactory,
) -> None:
    (ana,) = await add_users(uow_factory, a_user())
    assert ana.id is not None
    madrid = timezone(timedelta(hours=1))
    async with uow_factory() as uow:
        for family, delta in [("expired", -timedelta(hours=1)), ("revoked", -timedelta(seconds=1)),
                              ("live", timedelta(hours=1)), ("revoked-live", timedelta(days=1))]:
            await uow.refresh_sessions.add(a_session(family, ana.id, expires_at=NOW + delta))
        await uow.refresh_sessions.revoke("revoked")
        await uow.refresh_sessions.revoke("revoked-live")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.refresh_sessions.delete_expired(NOW.astimezone(madrid)) == 2
        await uow.commit()
    async with uow_factory() as uow:
        left = {f for f in ["expired", "revoked", "live", "revoked-live"] if await uow.refresh_sessions.get(f)}
    assert left == {"live", "revoked-live"}


async def test_concurrent_rotations_of_one_family_let_exactly_one_win(
    uow_factory: UnitOfWorkFactory, database_url: str | None
) -> None:
    if database_url is None:
        pytest.skip("the in-memory fakes do not isolate concurrent units of work (last commit wins)")
    (ana,) = await add_users(uow_factory, a_user())
    async with uow_factory() as uow:
        await uow.refresh_sessions.add(a_session("fam", ana.id, jti="jti-1"))  # type: ignore[arg-type]
        await uow.commit()

    async def rotate(new_jti: str) -> bool:
        async with uow_factory() as uow:
            # Read first, as the refresh use case does: on SQLite a read lock that later wants to
            # write is where "database is locked" comes from.
            assert await uow.refresh_sessions.get("fam") is not None
            won = await uow.refresh_sessions.rotate(
                "fam", expected_jti="jti-1", new_jti=new_jti, expires_at=NOW
            )
            await asyncio.sleep(0.05)
            await uow.commit()
            return won

    results = await asyncio.wait_for(asyncio.gather(rotate("jti-a"), rotate("jti-b")), timeout=10)
    assert sorted(results) == [False, True]
    async with uow_factory() as uow:
        session = await uow.refresh_sessions.get("fam")
    assert session is not None
    assert session.current_jti == ("jti-a" if results[0] else "jti-b")


# --- unit of work -------------------------------------------------------------------------------


async def test_nothing_is_persisted_without_commit(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(a_user())
        await uow.contacts.add(a_message())
    async with uow_factory() as uow:
        assert await uow.users.get_by_email("ana@example.com") is None
        assert (await uow.contacts.list(skip=0, limit=10)).total == 0


async def test_committed_work_is_visible_in_a_new_unit_of_work(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        ana = await uow.users.add(a_user())
        message = await uow.contacts.add(a_message())
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get(ana.id) == ana  # type: ignore[arg-type]
        assert await uow.contacts.get(message.id) == message  # type: ignore[arg-type]


async def test_an_exception_inside_rolls_back_and_propagates(uow_factory: UnitOfWorkFactory) -> None:
    async def add_then_fail() -> None:
        async with uow_factory() as uow:
            await uow.users.add(a_user())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await add_then_fail()
    async with uow_factory() as uow:
        assert await uow.users.get_by_email("ana@example.com") is None


async def test_rollback_discards_only_what_came_after_the_last_commit(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(a_user())
        await uow.commit()
        await uow.users.add(a_user(email="bea@example.com"))
        await uow.rollback()
        assert await uow.users.get_by_email("bea@example.com") is None
        await uow.users.add(a_user(email="carla@example.com"))
        await uow.commit()
    async with uow_factory() as uow:
        emails = [u.email for u in (await uow.users.list(skip=0, limit=10)).items]
    assert emails == ["ana@example.com", "carla@example.com"]


# --- read-only units of work -----------------------------------------------------------------------


async def test_a_read_only_unit_of_work_reads_committed_data_and_cannot_commit(
    uow_factory: UnitOfWorkFactory,
) -> None:
    [stored] = await add_users(uow_factory, a_user())
    async with uow_factory(read_only=True) as uow:
        found = await uow.users.get_by_email("ana@example.com")
        assert found is not None and found.id == stored.id
        with pytest.raises(RuntimeError):
            await uow.commit()


async def test_readers_do_not_wait_for_a_writer_holding_its_transaction(uow_factory: UnitOfWorkFactory) -> None:
    [stored] = await add_users(uow_factory, a_user())
    async with uow_factory() as writer:
        changed = await writer.users.get(stored.id or 0)
        assert changed is not None
        changed.nombre = "Cambiada"
        await writer.users.update(changed)
        async with uow_factory(read_only=True) as reader:
            seen = await asyncio.wait_for(reader.users.get(stored.id or 0), timeout=2)
        assert seen is not None and seen.nombre == "Ana", "uncommitted writes are not visible to readers"
        await writer.commit()

from __future__ import annotations

import pytest

from ova.application.accounts.commands import Registration
from ova.application.contact.commands import ContactForm, MessageFlags
from ova.domain.errors import Forbidden, NotFound, TooManyAttempts
from tests.unit.world import World, build_world

FORM = ContactForm(nombre="Luis", email="luis@example.org", mensaje="Hola, <b>quiero</b> ayuda 🙂\ncon OVA")


async def test_a_sent_message_is_stored_exactly_as_written_and_unread(world: World) -> None:
    message = await world.send_message(FORM, client="c")
    admin = await world.admin("root@example.org", "admin-password")
    assert admin is not None
    stored = await world.get_message(admin, message.id or 0)
    assert stored.mensaje == FORM.mensaje
    assert not stored.leido and not stored.respondido
    assert stored.fecha_envio == world.clock.now()


async def test_the_inbox_is_newest_first_and_filters_unread(world: World) -> None:
    admin = await world.admin("root@example.org", "admin-password")
    assert admin is not None
    first = await world.send_message(FORM, client="c")
    world.clock.advance(60)
    second = await world.send_message(FORM, client="c")
    page = await world.list_messages(admin, skip=0, limit=10)
    assert [m.id for m in page.items] == [second.id, first.id]
    await world.flag_message(admin, second.id or 0, MessageFlags(leido=True))
    unread = await world.list_messages(admin, skip=0, limit=10, unread_only=True)
    assert [m.id for m in unread.items] == [first.id] and unread.total == 1


async def test_flags_change_only_what_is_given(world: World) -> None:
    admin = await world.admin("root@example.org", "admin-password")
    assert admin is not None
    message = await world.send_message(FORM, client="c")
    flagged = await world.flag_message(admin, message.id or 0, MessageFlags(respondido=True))
    assert flagged.respondido and not flagged.leido


async def test_only_admins_read_flag_or_delete_messages(world: World) -> None:
    message = await world.send_message(FORM, client="c")
    user = await world.register(Registration("Ana", "ana@example.org", "password-ana"), client="c")
    for attempt in (
        world.list_messages(user, skip=0, limit=10),
        world.get_message(user, message.id or 0),
        world.flag_message(user, message.id or 0, MessageFlags(leido=True)),
        world.delete_message(user, message.id or 0),
    ):
        with pytest.raises(Forbidden):
            await attempt


async def test_deleting_a_message_removes_it(world: World) -> None:
    admin = await world.admin("root@example.org", "admin-password")
    assert admin is not None
    message = await world.send_message(FORM, client="c")
    await world.delete_message(admin, message.id or 0)
    with pytest.raises(NotFound):
        await world.delete_message(admin, message.id or 0)


async def test_messages_are_limited_per_address() -> None:
    world = build_world(contact_messages=1)
    await world.send_message(FORM, client="1.1.1.1")
    with pytest.raises(TooManyAttempts):
        await world.send_message(FORM, client="1.1.1.1")
    await world.send_message(FORM, client="2.2.2.2")

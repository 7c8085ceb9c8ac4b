"""Leading and trailing whitespace is dropped alike from user names, contact messages and chat
turns (issue 12, item 16); inner spaces and line breaks are kept."""

from __future__ import annotations

import json

import pytest

from ova.application.contact.commands import ContactForm
from ova.entrypoints.websocket.client_frames import TextMessage
from ova.entrypoints.websocket.frame_reading import max_frame_bytes, read_frame
from tests.unit.world import World

TEXT_LIMIT = 64 * 1024


async def test_contact_text_fields_are_stored_trimmed(world: World) -> None:
    form = ContactForm(nombre="  Luis ", apellido=" Pérez ", email=" luis@example.org ",
                       asunto="  Consulta  ", mensaje="\n  Hola,\n  quiero ayuda  \n")
    message = await world.send_message(form, client="c")
    admin = await world.admin("root@example.org", "admin-password")
    assert admin is not None
    stored = await world.get_message(admin, message.id or 0)
    assert (stored.nombre, stored.apellido, stored.email, stored.asunto, stored.mensaje) == (
        "Luis", "Pérez", "luis@example.org", "Consulta", "Hola,\n  quiero ayuda")


@pytest.mark.parametrize("raw", [
    json.dumps({"type": "text", "text": "  hola  mundo \n", "stream": True}),
    json.dumps({"message": "\t hola  mundo "}),
    json.dumps({"type": "text", "text": " hola  mundo ", "stream": True, "timestamp": 1}),
    "  hola  mundo \r\n",
])
def test_a_chat_message_is_read_trimmed(raw: str) -> None:
    frame = read_frame(raw, max_text_bytes=TEXT_LIMIT, max_frame_bytes=max_frame_bytes(TEXT_LIMIT, 1024))
    assert isinstance(frame, TextMessage)
    assert frame.text == "hola  mundo"

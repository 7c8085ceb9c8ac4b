"""A conversation's language over a real server: ``?lang=``, ``Accept-Language`` and the first message
choose it, the system prompt the model gets and the error frames follow it, and a chat that continues
keeps it. HTTP error details follow ``?lang=`` or ``Accept-Language``.

The fake chat model answers ``!system`` with the system prompt it was given."""

from __future__ import annotations

import httpx
import pytest

from ova.config.settings import DEFAULT_SYSTEM_PROMPT, DEFAULT_SYSTEM_PROMPT_EN
from tests.e2e.chat_client import chat, closing_frame
from tests.e2e.conftest import Account


def test_the_chat_list_shows_each_chats_language(base_url: str, client: httpx.Client, user: Account) -> None:
    with chat(base_url, f"/ws?lang=en&token={user.token}") as english:
        english.ask("hola")
    with chat(base_url, f"/ws?token={user.token}") as spanish:
        spanish.ask("¿Qué tiempo hace hoy?")
    listed = client.get("/chats", headers=user.headers).json()
    assert {item["id"]: item["idioma"] for item in listed} == {english.chat_id: "en", spanish.chat_id: "es"}


def test_a_chat_opened_with_lang_en_gets_the_english_prompt_and_english_error_frames(base_url: str) -> None:
    with chat(base_url, "/ws?lang=en") as client:
        assert closing_frame(client.ask("!system"))["text"] == DEFAULT_SYSTEM_PROMPT_EN
        client.send({"type": "text", "text": "   "})
        empty = closing_frame(client.reply())
        client.send({"type": "nonsense"})
        unknown = closing_frame(client.reply())
        failed = closing_frame(client.ask("!fail"))
    assert (empty["code"], empty["error"]) == ("empty_message", "The message is empty.")
    assert (unknown["code"], unknown["error"]) == ("unknown_type", "Unknown message type: 'nonsense'.")
    assert (failed["code"], failed["error"]) == ("model_unavailable",
                                                 "The model is not available right now. Try again later.")


def test_a_chat_with_no_language_named_speaks_spanish_by_default(base_url: str) -> None:
    with chat(base_url, "/ws") as client:
        assert closing_frame(client.ask("!system"))["text"] == DEFAULT_SYSTEM_PROMPT
        client.send({"type": "text", "text": "   "})
        assert closing_frame(client.reply())["error"] == "El mensaje está vacío."


def test_the_first_message_sets_the_language_and_a_reconnection_keeps_it(base_url: str) -> None:
    with chat(base_url, "/ws") as client:
        client.ask("What time is it in London, please?")
        chat_id = client.chat_id
    with chat(base_url, f"/ws/chat/{chat_id}", additional_headers={"Accept-Language": "es-ES,es"}) as client:
        assert closing_frame(client.ask("!system"))["text"] == DEFAULT_SYSTEM_PROMPT_EN


def test_accept_language_of_the_upgrade_chooses_the_language_of_a_new_chat(base_url: str) -> None:
    with chat(base_url, "/ws", additional_headers={"Accept-Language": "en-GB,en;q=0.8"}) as client:
        client.send("   ")
        assert closing_frame(client.reply())["error"] == "The message is empty."  # before any message
        assert closing_frame(client.ask("!system"))["text"] == DEFAULT_SYSTEM_PROMPT_EN


def test_a_message_frame_may_name_the_language(base_url: str) -> None:
    with chat(base_url, "/ws") as client:
        client.send({"type": "text", "text": "!system", "language": "en"})
        assert closing_frame(client.reply())["text"] == DEFAULT_SYSTEM_PROMPT_EN
        client.send({"type": "text", "text": "hola", "language": "fr"})
        refused = closing_frame(client.reply())
    assert refused["code"] == "unsupported_language"
    assert refused["error"] == "Unsupported language: 'fr'. Accepted values: es, en."
    assert refused["details"]["accepted"] == ["es", "en"]


def test_an_unknown_lang_on_the_url_is_an_error_frame_listing_the_accepted_values_then_1008(base_url: str) -> None:
    with chat(base_url, "/ws?lang=fr") as client:
        refused = client.connected  # the one frame, instead of ``connected``
        code = client.close_code()
    assert refused["type"] == "error" and refused["code"] == "unsupported_language"
    assert refused["details"]["accepted"] == ["es", "en"] and "es, en" in refused["error"]
    assert code == 1008


@pytest.mark.parametrize(("params", "headers", "detail"), [
    ({}, {}, "La ruta solicitada no existe."),
    ({}, {"Accept-Language": "en-US,en;q=0.9"}, "Not found."),
    ({"lang": "en"}, {"Accept-Language": "es"}, "Not found."),
    ({"lang": "xx"}, {}, "La ruta solicitada no existe."),
])
def test_http_error_details_follow_lang_then_accept_language_then_spanish(
    client: httpx.Client, params: dict[str, str], headers: dict[str, str], detail: str,
) -> None:
    response = client.get("/no-such-route", params=params, headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": detail, "code": "not_found"}


def test_an_unknown_lang_on_an_image_route_is_422_listing_the_accepted_values(client: httpx.Client) -> None:
    response = client.post("/imagen/descripcion", params={"lang": "fr"},
                           files={"file": ("a.png", b"not even an image", "application/octet-stream")})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["accepted"] == ["es", "en"]
    assert body["detail"] == "Idioma no admitido: 'fr'. Valores aceptados: es, en."
    assert body["errors"] == [{"field": "lang", "message": body["detail"]}]
    english = client.post("/imagen/descripcion", params={"lang": "fr"}, headers={"Accept-Language": "en"},
                          files={"file": ("a.png", b"x", "application/octet-stream")}).json()
    assert english["detail"] == "Unsupported language: 'fr'. Accepted values: es, en."

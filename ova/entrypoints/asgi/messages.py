"""Error messages in the language of the conversation or the request, keyed by error code.

Errors are written in Spanish where they are raised (the contract's default, and the most precise
wording: it may name the field or the limit). A client that speaks English gets the English message
of the error's ``code`` instead; the ``code`` itself never changes. A placeholder (``{max_bytes}``)
is filled from the error's details when they have it, else the message without it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ova.domain.language import ACCEPTED, Language

_ACCEPTED = ", ".join(ACCEPTED)

# code: (message with the details' placeholders, message without them)
ENGLISH: Mapping[str, tuple[str, str]] = {
    # the chat's frames
    "invalid_frame": ("", "The message is not a valid chat frame."),
    "unknown_type": ("Unknown message type: {type!r}.", "Unknown message type."),
    "empty_message": ("", "The message is empty."),
    "too_large": ("The message is larger than the maximum of {max_kib} KiB.", "The message is too large."),
    "unsupported_frame": ("", "Only text (JSON) messages are accepted."),
    "invalid_audio": ("", "The voice note could not be read (send it as base64)."),
    "invalid_image": ("", "The photo could not be read (send it as base64)."),
    "no_speech": ("", "I could not make out anything in the voice note."),
    "rate_limited": ("Too many messages; wait {retry_after_s} s.", "Too many attempts. Try again later."),
    "busy": ("", "I am still answering your earlier messages (or the service is busy); wait a moment."),
    "model_unavailable": ("", "The model is not available right now. Try again later."),
    "empty_answer": ("", "The model gave no answer. Please try again."),
    "cancelled": ("", "Answer cancelled."),
    "invalid_token": ("", "Invalid or expired token."),
    "forbidden": ("", "You do not have permission for this."),
    "unavailable": ("", "The service is not available right now; reconnect in a few seconds."),
    "internal_error": ("", "Internal error; please try again."),
    "invalid_chat_id": ("", "A chat id may only hold letters, digits, '-' and '_' (up to 64)."),
    "unsupported_language": ("Unsupported language: {asked!r}. Accepted values: {accepted_list}.",
                             f"Unsupported language. Accepted values: {_ACCEPTED}."),
    # the domain's errors and the HTTP layer's own
    "domain_error": ("", "The operation is not valid."),
    "validation_error": ("", "The data sent is not valid."),
    "not_found": ("", "Not found."),
    "email_taken": ("", "An account with that email already exists."),
    "invalid_credentials": ("", "Wrong email or password."),
    "account_disabled": ("", "The account is disabled."),
    "not_authenticated": ("", "Authentication is required."),
    "refresh_token_reused": ("", "This refresh token was already used; the session has been closed for safety."),
    "last_admin": ("", "The last active administrator cannot be deleted or demoted."),
    "database_unavailable": ("", "The database is not available. Try again in a few seconds."),
    "unreadable_media": ("", "The file sent could not be read."),
    "unsupported_media_type": ("", "Unsupported content type."),
    "payload_too_large": ("", "The file or body is too large."),
    "bad_request": ("", "The request is not valid."),
    "invalid_json": ("", "The body is not valid JSON."),
    "method_not_allowed": ("", "Method not allowed on this route."),
}

class _Details(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


def in_language(code: str, detail: str, language: Language, details: Mapping[str, Any] | None = None) -> str:
    """The message of an error with this ``code`` in ``language``: the Spanish ``detail`` itself for
    Spanish (and for a code without a translation), else the catalogue's."""
    if language is Language.ES or code not in ENGLISH:
        return detail
    with_details, plain = ENGLISH[code]
    if not with_details or not details:
        return plain
    values = _Details(details)
    if isinstance(values.get("max_bytes"), int):
        values["max_kib"] = values["max_bytes"] // 1024
    if isinstance(values.get("accepted"), list | tuple):
        values["accepted_list"] = ", ".join(str(item) for item in values["accepted"])
    try:
        return with_details.format_map(values)
    except (KeyError, ValueError, IndexError):
        return plain


def error_frame_in(frame: dict[str, Any], language: Language) -> dict[str, Any]:
    """An ``error`` frame (``{"type": "error", "error": <message>, "code", "details"}``) with its
    message in ``language``; any other frame unchanged."""
    if language is Language.ES or frame.get("type") != "error":
        return frame
    message = in_language(str(frame.get("code")), str(frame.get("error")), language, frame.get("details"))
    return {**frame, "error": message}

"""Domain errors. Each carries a stable ``code``; the entrypoints map classes to status codes."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code = "domain_error"
    default_detail = "La operación no es válida."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class InvalidInput(DomainError):
    code = "validation_error"
    default_detail = "Los datos enviados no son válidos."

    def __init__(self, detail: str | None = None, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class NotFound(DomainError):
    code = "not_found"
    default_detail = "No encontrado."


class EmailAlreadyRegistered(DomainError):
    code = "email_taken"
    default_detail = "Ya existe una cuenta con ese email."


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    default_detail = "Email o contraseña incorrectos."


class AccountDisabled(DomainError):
    code = "account_disabled"
    default_detail = "La cuenta está desactivada."


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    default_detail = "Se requiere autenticación."


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    default_detail = "Token inválido o caducado."


class RefreshTokenReused(InvalidToken):
    code = "refresh_token_reused"
    default_detail = "Este token de refresco ya se usó; la sesión se ha cerrado por seguridad."


class Forbidden(DomainError):
    code = "forbidden"
    default_detail = "No tienes permiso para esta operación."


class LastAdmin(DomainError):
    code = "last_admin"
    default_detail = "No se puede eliminar ni degradar al último administrador activo."


class TooManyAttempts(DomainError):
    code = "rate_limited"
    default_detail = "Demasiados intentos. Inténtalo de nuevo más tarde."

    def __init__(self, retry_after_s: int, detail: str | None = None) -> None:
        super().__init__(detail)
        self.retry_after_s = max(1, retry_after_s)


class DependencyUnavailable(DomainError):
    """Something the request needs (the shared state, the database, a model) cannot answer now;
    ``retry_after_s`` is when to try again (HTTP ``Retry-After``, the chat's ``details``)."""

    code = "unavailable"
    default_detail = "Un servicio necesario no está disponible. Inténtalo de nuevo en unos segundos."
    retry_after_s = 5


class DatabaseUnavailable(DependencyUnavailable):
    """The database cannot be reached or did not hand out a connection in time."""

    code = "database_unavailable"
    default_detail = "La base de datos no está disponible. Inténtalo de nuevo en unos segundos."


class UnreadableMedia(DomainError):
    code = "unreadable_media"
    default_detail = "No se pudo leer el archivo enviado."


class UnsupportedMedia(DomainError):
    code = "unsupported_media_type"
    default_detail = "Formato no soportado."


class NoSpeech(DomainError):
    """A voice note was transcribed to nothing: there is no message to answer."""

    code = "no_speech"
    default_detail = "No he entendido nada en la nota de voz."


class UnsupportedLanguage(InvalidInput):
    """The speech model in use cannot hear the language asked for (an English-only model asked for Spanish)."""

    code = "unsupported_language"
    default_detail = "El modelo de voz no entiende ese idioma."


class MediaTooLarge(DomainError):
    code = "payload_too_large"
    default_detail = "El archivo es demasiado grande."


class Busy(DependencyUnavailable):
    """Every inference slot and queue place is taken; the client should retry shortly."""

    code = "busy"
    default_detail = "El servicio está ocupado. Inténtalo de nuevo en unos segundos."

    def __init__(self, retry_after_s: int = 2, detail: str | None = None) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class ModelUnavailable(DependencyUnavailable):
    """A model or remote provider cannot answer now (not loaded, down, circuit open, timed out)."""

    code = "model_unavailable"
    default_detail = "El modelo no está disponible ahora. Inténtalo de nuevo más tarde."

    def __init__(self, detail: str | None = None, retry_after_s: int = 5) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class EmptyAnswer(ModelUnavailable):
    """The model ended its answer without a word, every time it was asked (engines do this under
    load). Nothing is stored as the answer; the user may send the message again."""

    code = "empty_answer"
    default_detail = "El modelo no dio ninguna respuesta. Inténtalo de nuevo."

    def __init__(self, detail: str | None = None, retry_after_s: int = 1) -> None:
        super().__init__(detail, retry_after_s)

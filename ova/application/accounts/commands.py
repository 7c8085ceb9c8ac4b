"""What the account use cases receive. The API parses requests straight into these types."""

from __future__ import annotations

from attrs import field, frozen

from ova.domain.text import Email, Password, Text


@frozen
class Registration:
    """A new account, created by the person who will use it."""

    nombre: str = field(validator=Text(min_length=1, max_length=100))
    email: str = field(validator=Email())
    password: str = field(validator=Password(), repr=False)


@frozen
class Credentials:
    """Email and password for logging in (length rules are not checked: a wrong password is just wrong)."""

    email: str = field(validator=Text(min_length=1, max_length=254))
    password: str = field(validator=Text(min_length=1, max_length=1024, strip=False), repr=False)


@frozen
class RefreshRequest:
    refresh_token: str = field(validator=Text(min_length=1, max_length=4096), repr=False)


@frozen
class LogoutRequest:
    """Optionally names the refresh token to revoke with the access token."""

    refresh_token: str | None = field(default=None, validator=Text(min_length=1, max_length=4096), repr=False)

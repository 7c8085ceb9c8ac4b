"""Access and refresh tokens as the core sees them, whatever their encoding."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from ova.domain.users import Role


@frozen
class AccessClaims:
    """What an access token asserts: who (``sub`` is the email, ``uid`` the id) and until when."""

    sub: str
    uid: int
    rol: Role
    jti: str
    family: str
    issued_at: datetime
    expires_at: datetime


@frozen
class RefreshClaims:
    uid: int
    jti: str
    family: str
    issued_at: datetime
    expires_at: datetime


@frozen
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


@frozen
class RefreshSession:
    """One login's chain of refresh tokens (a family). Only ``current_jti`` may be used next."""

    family: str
    user_id: int
    current_jti: str
    expires_at: datetime
    revoked: bool = False

"""Access and refresh tokens as signed JWTs (joserfc). Any defect on reading is ``InvalidToken``.

Reading an access token is on every authenticated request, and joserfc's checks cost more than the
rest of such a request; so each codec remembers the access tokens it has verified (the exact token
text, signature included) with their claims. A remembered token is still checked for expiry on every
read; the other time checks (``iat``, ``nbf``) cannot turn a valid token invalid later. Revocation is
not the codec's business: ``Authenticate`` checks it on every request.

Key rotation: tokens carry a ``kid`` (a fingerprint of the key that signed them, not the key), are
signed with ``secret`` and verified with whichever of ``secret`` and ``previous_secrets`` their ``kid``
names; a token without ``kid`` (issued before kids) is checked against ``secret`` alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OctKey

from ova.domain.errors import InvalidToken
from ova.domain.tokens import AccessClaims, RefreshClaims
from ova.domain.users import Role, User

_HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


class JoseTokenCodec:
    def __init__(
        self,
        *,
        secret: str,
        previous_secrets: Sequence[str] = (),
        algorithm: str = "HS256",
        access_lifetime_s: int = 1800,
        refresh_lifetime_s: int = 7 * 24 * 3600,
        issuer: str = "ova",
        leeway_s: int = 0,
        now: Callable[[], datetime] = _utcnow,
        verified_cache_size: int = 4096,
    ) -> None:
        if algorithm not in _HMAC_ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm: {algorithm}")
        if not secret:
            raise ValueError("the JWT secret must not be empty")
        with warnings.catch_warnings():  # short dev secrets are refused by the config layer, not here
            warnings.simplefilter("ignore", SecurityWarning)
            self._key = OctKey.import_key(secret.encode())
            self._keys = {key_id(old): OctKey.import_key(old.encode()) for old in previous_secrets if old}
        self._kid = key_id(secret)
        self._keys[self._kid] = self._key
        self._algorithm = algorithm
        self._access_lifetime_s = access_lifetime_s
        self._refresh_lifetime_s = refresh_lifetime_s
        self._issuer = issuer
        self._leeway_s = leeway_s
        self._now = now
        self._verified: dict[str, tuple[int, AccessClaims]] = {}  # token -> (exp, claims), oldest first
        self._verified_cache_size = verified_cache_size

    @property
    def access_lifetime_s(self) -> int:
        return self._access_lifetime_s

    def encode_access(self, user: User, *, jti: str, family: str, now: datetime) -> tuple[str, AccessClaims]:
        uid = _user_id(user)
        iat = int(now.timestamp())
        exp = iat + self._access_lifetime_s
        token = self._sign(
            {
                "sub": user.email,
                "uid": uid,
                "rol": user.rol.value,
                "jti": jti,
                "fam": family,
                "iat": iat,
                "exp": exp,
                "typ": "access",
                "iss": self._issuer,
            }
        )
        claims = AccessClaims(
            sub=user.email,
            uid=uid,
            rol=user.rol,
            jti=jti,
            family=family,
            issued_at=_from_epoch(iat),
            expires_at=_from_epoch(exp),
        )
        return token, claims

    def encode_refresh(
        self, user: User, *, jti: str, family: str, now: datetime
    ) -> tuple[str, RefreshClaims]:
        uid = _user_id(user)
        iat = int(now.timestamp())
        exp = iat + self._refresh_lifetime_s
        token = self._sign(
            {
                "sub": user.email,
                "uid": uid,
                "jti": jti,
                "fam": family,
                "iat": iat,
                "exp": exp,
                "typ": "refresh",
                "iss": self._issuer,
            }
        )
        claims = RefreshClaims(
            uid=uid, jti=jti, family=family, issued_at=_from_epoch(iat), expires_at=_from_epoch(exp)
        )
        return token, claims

    def decode_access(self, token: str) -> AccessClaims:
        remembered = self._verified.get(token)
        if remembered is not None:
            expires, claims = remembered
            if expires > int(self._now().timestamp()) - self._leeway_s:  # as joserfc's "exp" check
                return claims
            del self._verified[token]
            raise InvalidToken()
        claims = self._decode_access(token)
        if self._verified_cache_size > 0:
            if len(self._verified) >= self._verified_cache_size:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = (int(claims.expires_at.timestamp()), claims)
        return claims

    def _decode_access(self, token: str) -> AccessClaims:
        try:
            c = self._verified_claims(token, "access")
            return AccessClaims(
                sub=_str(c, "sub"),
                uid=_int(c, "uid"),
                rol=Role(_str(c, "rol")),
                jti=_str(c, "jti"),
                family=_str(c, "fam"),
                issued_at=_from_epoch(_int(c, "iat")),
                expires_at=_from_epoch(_int(c, "exp")),
            )
        except InvalidToken:
            raise
        except Exception as error:  # whatever joserfc or the claims raise, the caller sees one error
            raise InvalidToken() from error

    def decode_refresh(self, token: str) -> RefreshClaims:
        try:
            c = self._verified_claims(token, "refresh")
            _str(c, "sub")
            return RefreshClaims(
                uid=_int(c, "uid"),
                jti=_str(c, "jti"),
                family=_str(c, "fam"),
                issued_at=_from_epoch(_int(c, "iat")),
                expires_at=_from_epoch(_int(c, "exp")),
            )
        except InvalidToken:
            raise
        except Exception as error:
            raise InvalidToken() from error

    def _sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": self._algorithm, "kid": self._kid}
        return jwt.encode(header, claims, self._key, algorithms=[self._algorithm])

    def _key_for(self, token: str) -> OctKey:
        """The key the token's ``kid`` names (``InvalidToken`` for one this codec does not hold); the
        current key for a token without ``kid``."""
        head = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        kid = header.get("kid") if isinstance(header, dict) else None
        if kid is None:
            return self._key
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken()
        return key

    def _verified_claims(self, token: str, typ: str) -> Mapping[str, Any]:
        if not isinstance(token, str) or not token.isascii():
            raise InvalidToken()
        decoded = jwt.decode(token, self._key_for(token), algorithms=[self._algorithm])
        if decoded.header.get("alg") != self._algorithm:
            raise InvalidToken()
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self._now().timestamp()),
            leeway=self._leeway_s,
            exp={"essential": True},
            iat={"essential": True},
            iss={"essential": True, "value": self._issuer},
            typ={"essential": True, "value": typ},
        )
        registry.validate(decoded.claims)
        return decoded.claims


def key_id(secret: str) -> str:
    """A key's public name: 16 hex digits of a hash of the secret (it tells keys apart, and gives
    nothing away of the secret)."""
    return hashlib.sha256(b"ova-jwt-kid:" + secret.encode()).hexdigest()[:16]


def _user_id(user: User) -> int:
    if user.id is None:
        raise ValueError("cannot issue a token for a user without an id")
    return user.id


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _str(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidToken()
    return value


def _int(claims: Mapping[str, Any], name: str) -> int:
    value = claims.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidToken()
    return value

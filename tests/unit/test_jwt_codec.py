"""Signed access and refresh tokens: every defect is ``InvalidToken`` and nothing else."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import OctKey

from ova.adapters.security import JoseTokenCodec
from ova.domain.errors import InvalidToken
from ova.domain.users import Role, User
from tests.fakes.clock import FakeClock

SECRET = "test-secret-with-at-least-32-bytes!!"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def codec(clock: FakeClock) -> JoseTokenCodec:
    return JoseTokenCodec(secret=SECRET, now=clock.now)


@pytest.fixture
def user(clock: FakeClock) -> User:
    return User(
        nombre="Ada", email="ada@example.com", rol=Role.ADMIN, activo=True, fecha_registro=clock.now(), id=7
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(claims: dict[str, Any], *, alg: str = "HS256", secret: str = SECRET) -> str:
    return jwt.encode({"alg": alg}, claims, OctKey.import_key(secret.encode()), algorithms=[alg])


def _claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_access_token_round_trips_its_claims(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, issued = codec.encode_access(user, jti="a1", family="f1", now=clock.now())

    decoded = codec.decode_access(token)

    assert decoded == issued
    assert (decoded.sub, decoded.uid, decoded.rol, decoded.jti, decoded.family) == (
        "ada@example.com",
        7,
        Role.ADMIN,
        "a1",
        "f1",
    )
    assert decoded.issued_at == clock.now()
    assert decoded.expires_at == clock.now() + timedelta(seconds=codec.access_lifetime_s)


def test_access_token_carries_the_published_claim_names(
    codec: JoseTokenCodec, user: User, clock: FakeClock
) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())

    claims = _claims_of(token)

    assert claims == {
        "sub": "ada@example.com",
        "uid": 7,
        "rol": "admin",
        "jti": "a1",
        "fam": "f1",
        "iat": int(clock.now().timestamp()),
        "exp": int(clock.now().timestamp()) + 1800,
        "typ": "access",
        "iss": "ova",
    }


def test_refresh_token_round_trips_its_claims(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, issued = codec.encode_refresh(user, jti="r1", family="f1", now=clock.now())

    decoded = codec.decode_refresh(token)

    assert decoded == issued
    assert (decoded.uid, decoded.jti, decoded.family) == (7, "r1", "f1")
    assert decoded.expires_at - decoded.issued_at == timedelta(days=7)
    assert _claims_of(token)["typ"] == "refresh"


def test_lifetimes_are_configurable(user: User, clock: FakeClock) -> None:
    codec = JoseTokenCodec(secret=SECRET, access_lifetime_s=60, refresh_lifetime_s=120, now=clock.now)

    _, access = codec.encode_access(user, jti="a", family="f", now=clock.now())
    _, refresh = codec.encode_refresh(user, jti="r", family="f", now=clock.now())

    assert codec.access_lifetime_s == 60
    assert access.expires_at - access.issued_at == timedelta(seconds=60)
    assert refresh.expires_at - refresh.issued_at == timedelta(seconds=120)


def test_tampered_payload_is_refused(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    header, _, signature = token.split(".")
    forged = {**_claims_of(token), "rol": "admin", "uid": 1}

    with pytest.raises(InvalidToken):
        codec.decode_access(f"{header}.{_b64(json.dumps(forged).encode())}.{signature}")


def test_tampered_signature_is_refused(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(InvalidToken):
        codec.decode_access(f"{header}.{payload}.{flipped}")


def test_token_signed_with_another_secret_is_refused(user: User, clock: FakeClock) -> None:
    other = JoseTokenCodec(secret="another-secret-with-32-bytes-or-more", now=clock.now)
    token, _ = other.encode_access(user, jti="a1", family="f1", now=clock.now())

    with pytest.raises(InvalidToken):
        JoseTokenCodec(secret=SECRET, now=clock.now).decode_access(token)


def test_unsigned_token_with_alg_none_is_refused(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims_of(token)).encode())

    with pytest.raises(InvalidToken):
        codec.decode_access(f"{header}.{payload}.")


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_token_with_another_hmac_algorithm_is_refused(
    codec: JoseTokenCodec, user: User, clock: FakeClock, alg: str
) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())

    with pytest.raises(InvalidToken):
        codec.decode_access(_sign(_claims_of(token), alg=alg))


def test_expired_access_token_is_refused(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    clock.advance(codec.access_lifetime_s - 1)
    codec.decode_access(token)

    clock.advance(1)

    with pytest.raises(InvalidToken):
        codec.decode_access(token)


def test_expired_refresh_token_is_refused(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_refresh(user, jti="r1", family="f1", now=clock.now())
    clock.advance(7 * 24 * 3600)

    with pytest.raises(InvalidToken):
        codec.decode_refresh(token)


def test_leeway_accepts_a_token_just_past_expiry(user: User, clock: FakeClock) -> None:
    codec = JoseTokenCodec(secret=SECRET, leeway_s=30, now=clock.now)
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    clock.advance(codec.access_lifetime_s + 10)

    assert codec.decode_access(token).jti == "a1"


def test_token_issued_in_the_future_is_refused(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now() + timedelta(hours=1))

    with pytest.raises(InvalidToken):
        codec.decode_access(token)


def test_access_token_is_not_a_refresh_token(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())

    with pytest.raises(InvalidToken):
        codec.decode_refresh(token)


def test_refresh_token_is_not_an_access_token(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_refresh(user, jti="r1", family="f1", now=clock.now())

    with pytest.raises(InvalidToken):
        codec.decode_access(token)


def test_token_from_another_issuer_is_refused(user: User, clock: FakeClock) -> None:
    foreign = JoseTokenCodec(secret=SECRET, issuer="someone-else", now=clock.now)
    token, _ = foreign.encode_access(user, jti="a1", family="f1", now=clock.now())

    with pytest.raises(InvalidToken):
        JoseTokenCodec(secret=SECRET, now=clock.now).decode_access(token)


ACCESS_CLAIMS = ["sub", "uid", "rol", "jti", "fam", "iat", "exp", "typ", "iss"]


@pytest.mark.parametrize("missing", ACCESS_CLAIMS)
def test_access_token_missing_a_claim_is_refused(
    codec: JoseTokenCodec, user: User, clock: FakeClock, missing: str
) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    claims = _claims_of(token)
    del claims[missing]

    with pytest.raises(InvalidToken):
        codec.decode_access(_sign(claims))


@pytest.mark.parametrize("missing", ["sub", "uid", "jti", "fam", "iat", "exp", "typ", "iss"])
def test_refresh_token_missing_a_claim_is_refused(
    codec: JoseTokenCodec, user: User, clock: FakeClock, missing: str
) -> None:
    token, _ = codec.encode_refresh(user, jti="r1", family="f1", now=clock.now())
    claims = _claims_of(token)
    del claims[missing]

    with pytest.raises(InvalidToken):
        codec.decode_refresh(_sign(claims))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("uid", "7"),
        ("uid", True),
        ("uid", 7.0),
        ("rol", "superuser"),
        ("rol", 1),
        ("jti", 5),
        ("jti", ""),
        ("fam", None),
        ("sub", ["ada@example.com"]),
        ("exp", "never"),
        ("exp", 1e300),
        ("iat", 10**20),
    ],
)
def test_access_token_with_a_claim_of_the_wrong_type_is_refused(
    codec: JoseTokenCodec, user: User, clock: FakeClock, claim: str, value: object
) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())

    with pytest.raises(InvalidToken):
        codec.decode_access(_sign({**_claims_of(token), claim: value}))


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "...",
        "a.b.c",
        "a.b",
        "ñandú.ñandú.ñandú",
        "x" * 10_000,
        "Bearer abc",
        f"{_b64(b'not json')}.{_b64(b'not json')}.{_b64(b'sig')}",
        f"{_b64(b'{}')}.{_b64(b'[]')}.{_b64(b'sig')}",
        f"{_b64(json.dumps({'alg': 'HS256'}).encode())}.{_b64(b'42')}.",
    ],
    ids=[
        "empty",
        "three-dots",
        "abc",
        "two-parts",
        "non-ascii",
        "10kb",
        "bearer",
        "non-json",
        "array",
        "number",
    ],
)
def test_garbage_is_invalid_token(codec: JoseTokenCodec, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        codec.decode_access(garbage)
    with pytest.raises(InvalidToken):
        codec.decode_refresh(garbage)


@given(text=st.text())
def test_any_text_is_invalid_token_and_nothing_else(text: str) -> None:
    codec = JoseTokenCodec(secret=SECRET)
    with pytest.raises(InvalidToken):
        codec.decode_access(text)
    with pytest.raises(InvalidToken):
        codec.decode_refresh(text)


@given(parts=st.lists(st.binary(max_size=64), min_size=3, max_size=3))
def test_any_three_base64_parts_are_invalid_token_and_nothing_else(parts: list[bytes]) -> None:
    with pytest.raises(InvalidToken):
        JoseTokenCodec(secret=SECRET).decode_access(".".join(_b64(part) for part in parts))


def test_short_dev_secret_is_accepted_without_warning(user: User, clock: FakeClock) -> None:
    codec = JoseTokenCodec(secret="dev", now=clock.now)
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())

    assert codec.decode_access(token).jti == "a1"


@pytest.mark.parametrize(("secret", "algorithm"), [("", "HS256"), (SECRET, "none"), (SECRET, "RS256")])
def test_unusable_configuration_is_refused(secret: str, algorithm: str) -> None:
    with pytest.raises(ValueError, match=r"JWT"):
        JoseTokenCodec(secret=secret, algorithm=algorithm)


def test_user_without_id_cannot_get_a_token(codec: JoseTokenCodec, clock: FakeClock) -> None:
    anonymous = User(
        nombre="X", email="x@example.com", rol=Role.USER, activo=True, fecha_registro=clock.now()
    )

    with pytest.raises(ValueError, match="id"):
        codec.encode_access(anonymous, jti="a", family="f", now=clock.now())


def test_sub_timestamps_are_whole_seconds(codec: JoseTokenCodec, user: User) -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, 750_000, tzinfo=UTC)

    _, claims = codec.encode_access(user, jti="a", family="f", now=now)

    assert claims.issued_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_a_verified_access_token_is_remembered_but_still_expires(
    user: User, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    codec = JoseTokenCodec(secret=SECRET, leeway_s=30, now=clock.now)
    token, claims = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    assert codec.decode_access(token) == claims
    verifications = []
    original = codec._verified_claims
    monkeypatch.setattr(codec, "_verified_claims", lambda *a: verifications.append(a) or original(*a))

    assert codec.decode_access(token) == claims
    clock.advance(codec.access_lifetime_s + 29)  # within the leeway, as for a token read the first time
    assert codec.decode_access(token) == claims
    assert verifications == []

    clock.advance(1)
    with pytest.raises(InvalidToken):
        codec.decode_access(token)
    with pytest.raises(InvalidToken):
        codec.decode_access(token)


def test_a_remembered_token_does_not_vouch_for_a_tampered_copy(
    codec: JoseTokenCodec, user: User, clock: FakeClock
) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    codec.decode_access(token)
    forged = _sign({**_claims_of(token), "rol": "admin"}, secret="another-secret-with-32-bytes-or-more")

    with pytest.raises(InvalidToken):
        codec.decode_access(forged)
    with pytest.raises(InvalidToken):
        codec.decode_access(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_the_verified_tokens_kept_are_bounded(user: User, clock: FakeClock) -> None:
    codec = JoseTokenCodec(secret=SECRET, now=clock.now, verified_cache_size=2)
    tokens = [codec.encode_access(user, jti=f"a{n}", family="f1", now=clock.now())[0] for n in range(3)]
    for token in tokens:
        codec.decode_access(token)

    assert list(codec._verified) == tokens[1:]
    assert codec.decode_access(tokens[0]).jti == "a0"


OLD_SECRET = "the-previous-secret-of-at-least-32-bytes"
NEW_SECRET = "the-new-secret-that-replaced-it-in-2026!"


def _header(token: str) -> dict[str, Any]:
    head = token.split(".")[0]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    return decoded


def test_a_rotated_key_still_accepts_the_tokens_the_previous_one_signed(clock: FakeClock, user: User) -> None:
    before = JoseTokenCodec(secret=OLD_SECRET, now=clock.now)
    access, _ = before.encode_access(user, jti="a1", family="f1", now=clock.now())
    refresh, _ = before.encode_refresh(user, jti="r1", family="f1", now=clock.now())
    rotated = JoseTokenCodec(secret=NEW_SECRET, previous_secrets=[OLD_SECRET], now=clock.now)
    forgotten = JoseTokenCodec(secret=NEW_SECRET, now=clock.now)

    assert rotated.decode_access(access).jti == "a1"
    assert rotated.decode_refresh(refresh).jti == "r1"
    with pytest.raises(InvalidToken):
        forgotten.decode_access(access)
    new, _ = rotated.encode_access(user, jti="a2", family="f2", now=clock.now())
    assert _header(new)["kid"] != _header(access)["kid"]
    with pytest.raises(InvalidToken):  # the old key only verifies: nothing new is signed with it
        before.decode_access(new)


def test_the_kid_names_the_key_without_giving_it_away(codec: JoseTokenCodec, user: User, clock: FakeClock) -> None:
    token, _ = codec.encode_access(user, jti="a1", family="f1", now=clock.now())
    kid = _header(token)["kid"]
    assert len(kid) == 16 and SECRET not in token and kid not in SECRET


def test_a_token_naming_a_key_the_codec_does_not_hold_is_refused(clock: FakeClock, user: User) -> None:
    codec = JoseTokenCodec(secret=SECRET, now=clock.now)
    claims = {"sub": user.email, "uid": 1, "rol": "usuario", "jti": "x", "fam": "f", "typ": "access", "iss": "ova",
              "iat": int(clock.now().timestamp()), "exp": int(clock.now().timestamp()) + 60}
    forged = jwt.encode({"alg": "HS256", "kid": "0123456789abcdef"}, claims, OctKey.import_key(SECRET.encode()))
    without_kid = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(SECRET.encode()))

    with pytest.raises(InvalidToken):
        codec.decode_access(forged)
    assert codec.decode_access(without_kid).jti == "x"  # issued before tokens carried a kid

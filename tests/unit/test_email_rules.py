"""The email rules of ``ova.domain.text``: internationalized local parts are accepted, malformed
dot-atoms and numeric or one-letter top-level domains are refused, ASCII addresses keep their
earlier verdicts except for those two holes, and lower-casing keeps a valid address valid."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ova.domain.errors import InvalidInput
from ova.domain.text import EMAIL_LOCAL_EXCLUDED, Email, is_valid_email, normalize_email

ACCEPTED = [
    "ana@example.org",
    "Ana.Gil+ova@Mail.Example.CO.uk",
    "o'brien_{x}|y~z-w@example.ie",
    "josé@example.org",
    "straße@example.de",
    "JOSÉ@example.org",
    "用户@example.cn",
    "почта@example.ru",
    "δοκιμή.test@example.gr",
    "ana@xn--bcher-kva.example",
    "ana@example.xn--p1ai",
    "a@bb.cc",
    "  ana@example.org\n",  # the validator trims, like the stored value
    "a" * 64 + "@" + ("b" * 63 + ".") * 2 + "c" * 57 + ".org",  # 254 characters
]
REFUSED = [
    ".@0.0",
    ".ana@example.org",
    "ana.@example.org",
    "a..b@example.org",
    "ana@0.0",
    "ana@127.0.0.1",
    "ana@[127.0.0.1]",
    "ana@example.c0m",
    "ana@example.c",
    "ana@example.123",
    "ana@example",
    "ana@-example.org",
    "ana@example-.org",
    "ana@exa_mple.org",
    "ana@example..org",
    "ana@.example.org",
    "ana@example.org.",
    "ana@xn--.org",
    "josé@ñandú.org",  # an internationalized domain is written in its xn-- form
    '"ana gil"@example.org',
    "ana gil@example.org",
    "ana@@example.org",
    "@example.org",
    "ana@",
    "😀@example.org",  # beyond the Basic Multilingual Plane
    "ana\u200b@example.org",  # zero-width space
    "ana\u00ad@example.org",  # soft hyphen
    "ana\u00a0gil@example.org",  # no-break space
    "ana\u202egil@example.org",  # right-to-left override
    "ana\ufeff@example.org",
    "ana\ue000@example.org",  # private use
    "İstanbul@example.org",  # lower-cases to a longer string
    "ana\ud800@example.org",  # lone surrogate
    "a" * 65 + "@" + ("b" * 63 + ".") * 2 + "c" * 57 + ".org",  # 255 characters
    "",
]


@pytest.mark.parametrize("email", ACCEPTED)
def test_accepted_addresses(email: str) -> None:
    assert is_valid_email(email.strip())
    Email()(None, None, email)


@pytest.mark.parametrize("email", REFUSED)
def test_refused_addresses(email: str) -> None:
    assert not is_valid_email(email.strip())
    with pytest.raises(InvalidInput, match="email"):
        Email()(None, None, email)


def test_emails_are_stored_trimmed_and_lower_cased_with_accents_kept() -> None:
    assert normalize_email("  JOSÉ@Example.ORG ") == "josé@example.org"
    assert normalize_email("josé@example.org") != normalize_email("jose@example.org")
    assert normalize_email("STRASSE@example.de") == "strasse@example.de" != normalize_email("straße@example.de")


# --- properties ---------------------------------------------------------------------------------

_LOCAL_CHARS = st.characters(
    min_codepoint=0x21, max_codepoint=0xFFFF,
    blacklist_characters=[chr(c) for c in EMAIL_LOCAL_EXCLUDED] + list('\x7f"(),.:;<>@[\\]'),
)
_ATOMS = st.text(_LOCAL_CHARS, min_size=1, max_size=8)
_LOCALS = st.lists(_ATOMS, min_size=1, max_size=4).map(".".join)
_LABELS = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
_TLDS = st.from_regex(r"[a-zA-Z]{2,10}|xn--[a-z0-9]{1,8}", fullmatch=True)
_DOMAINS = st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_LABELS, min_size=1, max_size=3), _TLDS)
VALID = st.builds(lambda local, domain: f"{local}@{domain}", _LOCALS, _DOMAINS)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(VALID)
def test_any_dot_atom_of_allowed_characters_at_a_dns_domain_is_accepted(email: str) -> None:
    assert is_valid_email(email)


@PROPERTY
@given(VALID)
def test_a_valid_address_stays_valid_and_as_long_once_normalized(email: str) -> None:
    normalized = normalize_email(email)
    assert is_valid_email(normalized) and len(normalized) == len(email)
    assert normalize_email(normalized) == normalized


@PROPERTY
@given(VALID, st.sampled_from(["lead", "trail", "double"]))
def test_a_stray_dot_in_the_local_part_is_refused(email: str, where: str) -> None:
    local, domain = email.rsplit("@", 1)
    broken = {"lead": "." + local, "trail": local + ".", "double": local[0] + ".." + local[1:]}[where]
    assert not is_valid_email(f"{broken}@{domain}")


@PROPERTY
@given(VALID, st.from_regex(r"[0-9][a-z0-9]*|[a-z]*[0-9][a-z0-9]*|[a-z]", fullmatch=True))
def test_a_top_level_domain_that_is_not_letters_is_refused(email: str, tld: str) -> None:
    assert not is_valid_email(f"{email}.{tld}")


@PROPERTY
@given(VALID, st.sampled_from(sorted(EMAIL_LOCAL_EXCLUDED)) | st.integers(0x10000, 0x10FFFF), st.data())
def test_an_excluded_or_astral_character_in_the_local_part_is_refused(email: str, point: int, data: st.DataObject
                                                                       ) -> None:
    local, domain = email.rsplit("@", 1)
    at = data.draw(st.integers(0, len(local)))
    assert not is_valid_email(f"{local[:at]}{chr(point)}{local[at:]}@{domain}")


# The rule before non-ASCII local parts were accepted, to pin what changed for ASCII addresses.
_EARLIER = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def _earlier(value: str) -> bool:
    return len(value) <= 254 and _EARLIER.match(value) is not None and ".." not in value.split("@")[0]


_ASCII = (st.emails().map(str)
          | st.from_regex(r"[a-z.]{0,4}@[a-z0-9.-]{0,8}", fullmatch=True)
          | st.text(st.sampled_from("aZ09.-@_+x"), max_size=14))


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(_ASCII)
def test_ascii_addresses_keep_their_verdict_but_for_stray_dots_and_non_letter_tlds(email: str) -> None:
    if is_valid_email(email):
        assert _earlier(email), "nothing the earlier rule refused is accepted now"
    elif _earlier(email):
        local, domain = email.rsplit("@", 1)
        tld = domain.rsplit(".", 1)[1]
        assert local.startswith(".") or local.endswith(".") or not re.fullmatch(r"[A-Za-z]{2,63}", tld), email

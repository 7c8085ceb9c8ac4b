"""Builds ``Settings`` from the environment (and a ``.env`` file), refusing unsafe production setups."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ova.config.settings import DEFAULT_ORIGINS, DEV_JWT_SECRET, AiSettings, Environment, Provider, Settings
from ova.config.variables import AI_PROVIDERS, VARIABLES
from ova.domain.text import is_valid_email


class ConfigError(Exception):
    """Configuration that cannot run. Each problem names the variable and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines; ``#`` comments, ``export`` prefixes and matching quotes are allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = stripped.removeprefix("export ").strip()
        key, sep, value = stripped.partition("=")
        if not sep or not key.strip():
            raise ConfigError([f"{path}:{number}: expected KEY=value"])
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Environment variables win over the ``.env`` file (``OVA_ENV_FILE`` names another file)."""
    environ = dict(os.environ if environ is None else environ)
    path = env_file or Path(environ.get("OVA_ENV_FILE", ".env"))
    source = {**read_env_file(path), **environ}
    if "model" in source and "CHAT_MODEL" not in source:
        source["CHAT_MODEL"] = source["model"]

    problems: list[str] = []
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {"database": {}, "auth": {}, "http": {}, "ai": {}, "chat": {}}
    for variable in VARIABLES:
        if variable.name not in source:
            continue
        try:
            value = variable.parse(source[variable.name])
        except ValueError as error:
            problems.append(f"{variable.name}={_shown(variable.secret, source[variable.name])}: {error}")
            continue
        target = top if variable.section is None else sections[variable.section]
        target[variable.attribute] = value
    if problems:
        raise ConfigError(problems)

    if top.get("environment") is Environment.PRODUCTION and "allowed_origins" not in sections["http"]:
        sections["http"]["allowed_origins"] = tuple(o for o in DEFAULT_ORIGINS if o.startswith("https://"))
    defaults = Settings()
    settings = attrs.evolve(
        defaults,
        **top,
        **{name: attrs.evolve(getattr(defaults, name), **values) for name, values in sections.items()},
    )
    problems = safety_problems(settings)
    if problems:
        raise ConfigError(problems)
    return settings


def safety_problems(settings: Settings) -> list[str]:
    problems: list[str] = []
    auth, database = settings.auth, settings.database
    if bool(auth.admin_email) != bool(auth.admin_password):
        problems.append("OVA_ADMIN_EMAIL and OVA_ADMIN_PASSWORD: set both or neither")
    if auth.admin_password is not None and not 8 <= len(auth.admin_password) <= 1024:
        problems.append("OVA_ADMIN_PASSWORD: use 8 to 1024 characters")
    if auth.admin_email and not is_valid_email(auth.admin_email.strip()):
        problems.append("OVA_ADMIN_EMAIL: not a valid email address")
    if not database.use_sqlite and not database.url_override and not database.name:
        problems.append("DB_NAME: name the MySQL database (or set USE_SQLITE=true)")
    problems.extend(provider_problems(settings.ai))
    if not settings.is_production:
        return problems
    secret = auth.jwt_secret_key
    if not secret or secret == DEV_JWT_SECRET:
        problems.append("JWT_SECRET_KEY: production needs its own secret; generate one with `openssl rand -hex 32`")
    elif len(secret.encode()) < 32:
        problems.append("JWT_SECRET_KEY: shorter than 32 bytes; generate one with `openssl rand -hex 32`")
    if any(len(old.encode()) < 32 or old == DEV_JWT_SECRET for old in auth.jwt_previous_secret_keys):
        problems.append("JWT_PREVIOUS_SECRET_KEYS: every earlier key must be a real one of at least 32 bytes")
    if database.is_sqlite and not database.allow_sqlite_in_production:
        problems.append(
            "USE_SQLITE/DATABASE_URL: production refuses SQLite; configure DB_* for MySQL/MariaDB "
            "or set ALLOW_SQLITE_IN_PRODUCTION=true for a single-host deployment"
        )
    insecure = [o for o in settings.http.allowed_origins if not o.startswith("https://")]
    if insecure:
        problems.append(f"ALLOWED_ORIGINS: production accepts only https:// origins (not {', '.join(insecure)})")
    problems.extend(
        f"{_variable_of('ai', setting)}: production refuses the fake provider (canned answers, and debug commands "
        f"anyone can send); use {_one_of([p.value for p in Provider if p in accepted and p is not Provider.FAKE])}"
        for setting, accepted in AI_PROVIDERS.items() if getattr(settings.ai, setting) is Provider.FAKE
    )
    return problems


def provider_problems(ai: AiSettings) -> list[str]:
    """A capability set to a provider that cannot serve it (see ``AI_PROVIDERS``)."""
    problems: list[str] = []
    for setting, accepted in AI_PROVIDERS.items():
        provider: Provider = getattr(ai, setting)
        if provider in accepted:
            continue
        served = [f"the {other.removesuffix('_provider')}" for other, choices in AI_PROVIDERS.items()
                  if provider in choices]
        serves = f"serves only {', '.join(served)}" if served else "serves no capability"
        choices = _one_of([p.value for p in Provider if p in accepted])
        problems.append(f"{_variable_of('ai', setting)}: {provider.value} {serves}; use {choices}")
    return problems


def _one_of(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _variable_of(section: str, attribute: str) -> str:
    return next(v.name for v in VARIABLES if v.section == section and v.attribute == attribute)


def _shown(secret: bool, raw: str) -> str:
    return "***" if secret else repr(raw)


def describe(settings: Settings) -> list[tuple[str, str]]:
    """Every variable with the value in effect, secrets masked (for ``ova config check``)."""
    rows: list[tuple[str, str]] = []
    for variable in VARIABLES:
        holder: object = settings if variable.section is None else getattr(settings, variable.section)
        value = getattr(holder, variable.attribute)
        if isinstance(value, tuple):
            text = ",".join(value)
        elif value is None:
            text = ""
        else:
            text = str(value)
        if variable.secret and text:
            text = "***" + (f" ({len(text)} chars)" if variable.name == "JWT_SECRET_KEY" else "")
        rows.append((variable.name, text))
    rows.append(("(database url)", _mask_url(settings.database.url)))
    return rows


def _mask_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"

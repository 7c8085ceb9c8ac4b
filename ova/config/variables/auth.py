"""The variables of ``AuthSettings``: JWT keys and lifetimes, password hashing, login and registration
limits, and the first admin."""

from __future__ import annotations

from ova.config.variables.parsing import parse_choice, parse_int, parse_optional_text, parse_secrets, parse_text
from ova.config.variables.variable import InSection, Variable

JWT_ALGORITHMS = ("HS256", "HS384", "HS512")

variable = InSection("auth")

VARIABLES: tuple[Variable, ...] = (
    variable("JWT_SECRET_KEY", "jwt_secret_key", parse_text,
             "at least 32 random bytes, e.g. `openssl rand -hex 32`", secret=True),
    variable("JWT_PREVIOUS_SECRET_KEYS", "jwt_previous_secret_keys", parse_secrets,
             "comma-separated earlier JWT_SECRET_KEYs, accepted (never used to sign) while tokens signed "
             "with them may still be in use: a rotation without logging everyone out", secret=True),
    variable("JWT_ALGORITHM", "jwt_algorithm", parse_choice(JWT_ALGORITHMS, upper=True), "HS256"),
    variable("ACCESS_TOKEN_EXPIRE_MINUTES", "access_token_expire_minutes", parse_int(1, 1440),
             "lifetime of access tokens"),
    variable("REFRESH_TOKEN_EXPIRE_DAYS", "refresh_token_expire_days", parse_int(1, 365),
             "lifetime of refresh tokens"),
    variable("PASSWORD_HASH_TIME_COST", "password_time_cost", parse_int(1, 20), "Argon2 passes"),
    variable("PASSWORD_HASH_MEMORY_KIB", "password_memory_kib", parse_int(1024, 1048576),
             "Argon2 memory, KiB"),
    variable("PASSWORD_HASH_CONCURRENCY", "password_concurrency", parse_int(1, 64),
             "password hashes computed at once per process (default: half the CPU cores, each hash uses 2 lanes)"),
    variable("PASSWORD_HASH_QUEUE", "password_queue", parse_int(0, 10000),
             "password hashes waiting per process before 503 busy (default: 4 per concurrent hash)"),
    variable("LOGIN_MAX_FAILURES", "login_max_failures", parse_int(1, 1000),
             "failed logins allowed per client address in the window"),
    variable("LOGIN_MAX_FAILURES_PER_ACCOUNT", "login_max_failures_per_account", parse_int(1, 100000),
             "failed logins allowed per account from all addresses in the window"),
    variable("LOGIN_WINDOW_MINUTES", "login_window_minutes", parse_int(1, 1440), "login limit window"),
    variable("REGISTER_MAX_PER_HOUR", "register_max_per_hour", parse_int(1, 100000),
             "registrations per client address per hour"),
    variable("SESSION_PURGE_INTERVAL_S", "session_purge_interval_s", parse_int(0, 604800),
             "seconds between purges of expired refresh sessions, in each worker; 0 turns them off"),
    variable("OVA_ADMIN_EMAIL", "admin_email", parse_optional_text,
             "creates this admin at start-up when no admin exists"),
    variable("OVA_ADMIN_PASSWORD", "admin_password", parse_optional_text,
             "password of OVA_ADMIN_EMAIL", secret=True),
)

"""The variables of ``DatabaseSettings``: SQLite or MySQL/MariaDB, the pool and the deadline."""

from __future__ import annotations

from ova.config.variables.parsing import parse_bool, parse_float, parse_int, parse_optional_text, parse_text
from ova.config.variables.variable import InSection, Variable

variable = InSection("database")

VARIABLES: tuple[Variable, ...] = (
    variable("USE_SQLITE", "use_sqlite", parse_bool, "true for a SQLite file, false for MySQL"),
    variable("SQLITE_PATH", "sqlite_path", parse_text, "path of the SQLite file"),
    variable("DB_HOST", "host", parse_text, "MySQL/MariaDB host"),
    variable("DB_PORT", "port", parse_int(1, 65535), "MySQL/MariaDB port"),
    variable("DB_USER", "user", parse_text, "MySQL/MariaDB user"),
    variable("DB_PASSWORD", "password", parse_text, "MySQL/MariaDB password", secret=True),
    variable("DB_NAME", "name", parse_text, "MySQL/MariaDB database name"),
    variable("DATABASE_URL", "url_override", parse_optional_text,
             "full SQLAlchemy URL (sqlite+aiosqlite:///... or mysql+aiomysql://...); overrides the others",
             secret=True),
    variable("ALLOW_SQLITE_IN_PRODUCTION", "allow_sqlite_in_production", parse_bool,
             "true to accept SQLite in production (one host only)"),
    variable("DB_POOL_SIZE", "pool_size", parse_int(1, 200), "MySQL connection pool size"),
    variable("DB_TIMEOUT_S", "timeout_s", parse_float(0.1, 600),
             "seconds one unit of work may wait on MySQL altogether (connecting or taking a pooled "
             "connection, its statements, its commit), and one turn-journal batch; past it the "
             "request gets 503 database_unavailable"),
)

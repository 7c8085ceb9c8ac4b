"""The variables of ``Settings`` itself: the environment, logging, the shared Redis state, the default
language and this server's name."""

from __future__ import annotations

from ova.config.variables.parsing import (
    parse_choice,
    parse_environment,
    parse_float,
    parse_language,
    parse_optional_text,
)
from ova.config.variables.variable import InSection, Variable
from ova.domain.language import ACCEPTED

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

variable = InSection(None)

VARIABLES: tuple[Variable, ...] = (
    variable("ENVIRONMENT", "environment", parse_environment, "development, staging or production"),
    variable("LOG_LEVEL", "log_level", parse_choice(LOG_LEVELS, upper=True), "DEBUG, INFO, WARNING, ERROR"),
    variable("REDIS_URL", "redis_url", parse_optional_text,
             "redis://host:6379/0 to share state between workers; empty keeps it in memory"),
    variable("REDIS_TIMEOUT_S", "redis_timeout_s", parse_float(0.1, 60),
             "seconds one Redis operation may take (connecting included); past it the request gets "
             "503 unavailable"),
    variable("DEFAULT_LANGUAGE", "default_language", parse_language,
             f"language of a conversation that names none and whose first message does not tell "
             f"({', '.join(ACCEPTED)}), and of error messages when the request names none"),
    variable("OVA_INSTANCE", "instance", parse_optional_text,
             "this server's name in /metrics (ova_instance_info's instance label) and in the name of its "
             "metrics directory; empty is <host name>:<port> under ova serve"),
)

"""The variables of ``HttpSettings``: CORS, body and upload limits, proxies, the metrics token and the
connection limits."""

from __future__ import annotations

from ova.config.variables.parsing import parse_float, parse_int, parse_optional_text, parse_origins, parse_proxies
from ova.config.variables.variable import InSection, Variable

variable = InSection("http")

VARIABLES: tuple[Variable, ...] = (
    variable("ALLOWED_ORIGINS", "allowed_origins", parse_origins, "comma-separated CORS origins"),
    variable("CORS_MAX_AGE", "cors_max_age", parse_int(0, 86400), "seconds a preflight is cached"),
    variable("MAX_JSON_BODY_KB", "max_json_body_kb", parse_int(1, 65536), "largest JSON body, KiB"),
    variable("MAX_UPLOAD_MB", "max_upload_mb", parse_int(1, 200), "largest upload, MiB"),
    variable("METRICS_TOKEN", "metrics_token", parse_optional_text,
             "bearer token /metrics asks for (required in production to scrape it at all)", secret=True),
    variable("CONTACT_MAX_PER_HOUR", "contact_max_per_hour", parse_int(1, 100000),
             "contact messages per client address per hour"),
    variable("TRUSTED_PROXIES", "trusted_proxies", parse_proxies,
             "comma-separated IPs/networks of reverse proxies whose X-Forwarded-For/-Proto are believed; "
             "empty ignores those headers"),
    variable("HTTP_HEADER_TIMEOUT_S", "header_timeout_s", parse_float(0.5, 600),
             "seconds a client has to send a request's headers (from connecting, and from the first byte of "
             "each later request on the connection); then the connection is closed"),
    variable("HTTP_MAX_CONNECTIONS", "max_connections", parse_int(0, 1_000_000),
             "connections (HTTP and WebSocket) and requests in progress per process past which new requests "
             "get a plain 503; 0 is no limit"),
)

"""Limits that protect accounts from guessing and the service from floods."""

from __future__ import annotations

from attrs import frozen

from ova.domain.rate_limits import RateLimit


@frozen
class LoginLimits:
    per_address: RateLimit
    per_account: RateLimit

    @classmethod
    def failures_per_window(cls, failures: int, window_s: int) -> LoginLimits:
        return cls(
            per_address=RateLimit("login-address", failures, window_s),
            per_account=RateLimit("login-account", failures, window_s),
        )

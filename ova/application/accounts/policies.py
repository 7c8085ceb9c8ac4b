"""Limits that protect accounts from guessing and the service from floods."""

from __future__ import annotations

from attrs import frozen

from ova.domain.rate_limits import RateLimit


@frozen
class LoginLimits:
    """Failed logins counted per client address and per account, with very different ceilings.

    ``per_address`` (any account from one address) stops a guesser at one address after a few
    failures; it also bounds every (account, address) pair, so a pair needs no counter of its own.
    ``per_account`` (from every address) has a much higher ceiling, so that a few failures from
    strangers cannot lock the owner out at another address, while a guesser spread over many
    addresses is still held to that many guesses per window.
    """

    per_address: RateLimit
    per_account: RateLimit

    @classmethod
    def failures_per_window(cls, failures: int, window_s: int, account_failures: int) -> LoginLimits:
        return cls(
            per_address=RateLimit("login-address", failures, window_s),
            per_account=RateLimit("login-account", account_failures, window_s),
        )

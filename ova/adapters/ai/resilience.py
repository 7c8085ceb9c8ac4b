"""Timeouts, retries and a circuit breaker for remote AI providers.

Policy (one place, shared by every remote adapter):

* One overall deadline per call (``timeout_s``): attempts, waits between them and the last answer
  all fit in it, so the caller gets a clear ``ModelUnavailable`` (503) within the timeout.
* Retried: connection errors, timeouts and other transport errors, 408, 429, 5xx and Hugging Face's
  503 "model loading" (the wait honours its ``estimated_time``; if that wait does not fit in the
  deadline we give up at once and pass the estimate on as ``retry_after_s``). Other waits are
  exponential with jitter. Inference calls have no side effects, so repeating a POST is safe.
* Not retried: 401/403/404 (configuration: key or model name) and malformed bodies; they count as a
  breaker failure, because the capability really is down until someone fixes it. Other 4xx (the
  request itself was refused) do not retry and count as a success: the provider is alive.
* The breaker counts one failure per failed *call*, never per attempt, and closes on success.
* Every final failure leaves as ``ModelUnavailable`` (never an httpx exception); ``DomainError``s
  the operation raises on purpose (e.g. ``UnreadableMedia``) pass through untouched.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from ova.domain.errors import DomainError, ModelUnavailable

T = TypeVar("T")

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class RemoteCallError(Exception):
    """A provider answer we cannot use. ``retryable`` errors may succeed if repeated; ``counts_as_failure``
    says whether the breaker should hold it against the provider; ``retry_after_s`` is its own hint."""

    def __init__(
        self, detail: str, *, status: int | None = None, retryable: bool = False,
        counts_as_failure: bool = True, retry_after_s: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.retryable = retryable
        self.counts_as_failure = counts_as_failure
        self.retry_after_s = retry_after_s


def is_transient(exc: BaseException) -> bool:
    """The default ``retry_on``: transport errors and ``RemoteCallError(retryable=True)``."""
    if isinstance(exc, RemoteCallError):
        return exc.retryable
    return isinstance(exc, httpx.TransportError)


class CircuitBreaker:
    """Consecutive-failure breaker: ``failure_threshold`` failed calls open it; after ``reset_after_s``
    it lets exactly one probe through (half-open); the probe's outcome closes or re-opens it."""

    def __init__(
        self, name: str, *, failure_threshold: int, reset_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or reset_after_s <= 0:
            raise ValueError("failure_threshold must be at least 1 and reset_after_s positive")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half_open`` (open and the reset time has passed, or probing)."""
        if self._opened_at is None:
            return CLOSED
        if self._probing or self._clock() - self._opened_at >= self.reset_after_s:
            return HALF_OPEN
        return OPEN

    def before_call(self) -> None:
        """Raises ``ModelUnavailable`` unless a call may go out now; in half-open, takes the one probe."""
        state = self.state
        if state == CLOSED:
            return
        if state == HALF_OPEN and not self._probing:
            self._probing = True
            return
        assert self._opened_at is not None
        left = self.reset_after_s - (self._clock() - self._opened_at)
        retry_after = max(1, math.ceil(left))
        raise ModelUnavailable(
            f"{self.name} no está disponible ahora (demasiados fallos seguidos); "
            f"inténtalo de nuevo en {retry_after} s.",
            retry_after_s=retry_after,
        )

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._probing = False

    def release(self) -> None:
        """Gives the probe back without a verdict (the call was cancelled)."""
        self._probing = False


async def call_with_resilience(
    operation: Callable[[], Awaitable[T]], *, breaker: CircuitBreaker, timeout_s: float,
    retry_on: Callable[[BaseException], bool] = is_transient, max_attempts: int = 3,
    base_delay_s: float = 0.5, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Runs ``operation`` behind ``breaker`` with retries inside one ``timeout_s`` deadline (see the
    module docstring for the policy)."""
    breaker.before_call()
    deadline = clock() + timeout_s
    backoff = wait_exponential_jitter(multiplier=base_delay_s, max=timeout_s / 2, jitter=base_delay_s)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = getattr(exc, "retry_after_s", None)
        return float(hint) if isinstance(hint, int | float) and hint >= 0 else backoff(state)

    def stop(state: RetryCallState) -> bool:
        out_of_time = clock() + (state.upcoming_sleep or 0.0) >= deadline
        return out_of_time or state.attempt_number >= max_attempts

    retrying = AsyncRetrying(
        stop=stop, wait=wait, retry=retry_if_exception(retry_on),
        sleep=sleep, reraise=True,
    )
    try:
        async with asyncio.timeout(timeout_s):
            result: T = await retrying(operation)
    except DomainError as exc:
        _judge(breaker, failed=isinstance(exc, ModelUnavailable))
        raise
    except RemoteCallError as exc:
        _judge(breaker, failed=exc.counts_as_failure)
        hint = exc.retry_after_s
        raise ModelUnavailable(exc.detail, retry_after_s=max(1, math.ceil(hint)) if hint else 5) from exc
    except TimeoutError as exc:  # our deadline (asyncio.timeout) or a transport timeout
        breaker.record_failure()
        raise ModelUnavailable(f"{breaker.name} no respondió en {timeout_s:g} s.") from exc
    except httpx.TimeoutException as exc:
        breaker.record_failure()
        raise ModelUnavailable(f"{breaker.name} no respondió en {timeout_s:g} s.") from exc
    except httpx.HTTPError as exc:
        breaker.record_failure()
        raise ModelUnavailable(f"No se pudo conectar con {within_sentence(breaker.name)}.") from exc
    except Exception as exc:
        breaker.record_failure()
        raise ModelUnavailable(f"{breaker.name} falló de forma inesperada.") from exc
    except BaseException:  # cancelled: no verdict about the provider
        breaker.release()
        raise
    breaker.record_success()
    return result


def within_sentence(name: str) -> str:
    """A provider's name as it reads inside a sentence: names start sentences ("El servidor de chat no
    respondió"), so a leading article is written in capitals and lowered here ("con el servidor de chat")."""
    article, _, rest = name.partition(" ")
    return f"{article.lower()} {rest}" if rest and article in {"El", "La", "Los", "Las"} else name


def _judge(breaker: CircuitBreaker, *, failed: bool) -> None:
    if failed:
        breaker.record_failure()
    else:
        breaker.record_success()

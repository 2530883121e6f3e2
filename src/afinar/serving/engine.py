"""One loaded chat model answering many requests at once.

Requests are checked before any work (prompt + ``max_tokens`` within the model's context, a
bounded number in progress), then decoded together by transformers' continuous batching
(``ContinuousBatchingManager``, the engine behind ``transformers serve``): a new request joins
the running batch at the next step, a long prompt is prefilled in slices between decoding steps,
and a cancelled request leaves the batch at the next step. Two batches exist per model, made on
first use: greedy (temperature 0) and sampling (per-request temperature and top_p). A request
with a ``seed``, a request that shapes its output (penalties, ``logit_bias``, a grammar for
structured outputs or tool calls, ``logprobs``) and every request on a model the batching engine
cannot run go through ``model.generate`` one at a time instead (reproducible seeds need a
generator of their own; the batching engine has no per-request logits processors).

A :class:`Generation` is the caller's handle: iterate it for text deltas (whole characters, stop
strings held back), read ``result`` at the end, ``cancel()`` it from any thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from afinar.errors import AfinarError
from afinar.serving.text import Detokenizer, StopFilter

if TYPE_CHECKING:
    from afinar.serving.backends import Batcher, Sequential

log = logging.getLogger("afinar.serving")
MAX_PENDING = 64  # requests in progress or waiting per model before 429
RETRY_AFTER_S = 2


class ContextTooLong(AfinarError):
    """``max_tokens`` None: the caller asked for no length, the prompt alone fills the context."""

    def __init__(self, prompt: int, max_tokens: int | None, context: int):
        self.prompt, self.max_tokens, self.context = prompt, max_tokens, context
        if max_tokens is None:
            super().__init__("serving.prompt_too_long", prompt=prompt, context=context)
        else:
            super().__init__("serving.context_length_exceeded", prompt=prompt, max_tokens=max_tokens,
                             context=context, total=prompt + max_tokens)


class QueueFull(AfinarError):
    retry_after = RETRY_AFTER_S

    def __init__(self, model: str, waiting: int):
        super().__init__("serving.queue_full", model=model, waiting=waiting)


@dataclass(frozen=True)
class Controls:
    """What a request asks of its output beyond length and sampling: ``shaping`` (penalties and
    bias, ``afinar.serving.penalties.Shaping``), ``structure`` (a grammar,
    ``afinar.serving.structured.Structure``), ``logprobs`` (None: not asked; else how many top
    alternatives, 0 to 20) and ``tools`` (rendered into the prompt)."""

    shaping: Any = None
    structure: Any = None
    logprobs: int | None = None
    tools: list[dict] | None = None

    @property
    def decoded_alone(self) -> bool:
        """Needs per-request logits processors (the batching engine has none)."""
        return ((self.shaping is not None and not self.shaping.neutral) or self.structure is not None
                or self.logprobs is not None)


class Generation:
    """One request's answer. Iterate for text deltas; ``result`` is {"text", "prompt_tokens",
    "completion_tokens", "finish_reason", "logprobs"} once iteration ends. The backend hands over
    every id generated so far (``push``, after ``add_logprob`` for each new token when logprobs
    were asked) and then ``end``; the caller's thread turns them into text."""

    def __init__(self, engine: Engine, prompt_ids: list[int], max_tokens: int, stops: list[str],
                 logprobs: bool = False):
        self.engine, self.prompt_ids, self.max_tokens = engine, prompt_ids, max_tokens
        self.cancelled = threading.Event()
        self.result: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._news = threading.Event()
        self._latest: list[int] = []
        self._ended: tuple[BaseException | None] | None = None
        self._detok = Detokenizer(engine.tokenizer)
        self.stops = [s for s in stops if s]
        self._filter = StopFilter(stops)
        self._ids: list[int] = []
        self.on_cancel: Any = None  # set by the backend that runs it
        self.logprobs: list[dict] | None = [] if logprobs else None  # one entry per generated token
        self._logprobs_given = 0

    def add_logprob(self, entry: dict) -> None:
        """Backend side: the entry of the next generated token (before the ``push`` that hands it over)."""
        assert self.logprobs is not None
        with self._lock:
            self.logprobs.append(entry)

    def new_logprobs(self) -> list[dict]:
        """Caller side, while streaming: the entries of the tokens read since the last call (the end
        marker excluded)."""
        if self.logprobs is None:
            return []
        upto = len(self._ids)
        with self._lock:
            entries = [e for i, e in enumerate(self.logprobs[self._logprobs_given:upto], self._logprobs_given)
                       if self._ids[i] not in self.engine.eos_ids]
        self._logprobs_given = max(self._logprobs_given, upto)
        return entries

    # --- backend side ------------------------------------------------------------------------
    def push(self, ids: list[int]) -> None:
        with self._lock:
            self._latest = ids
        self._news.set()

    def end(self, error: BaseException | None = None) -> None:
        with self._lock:
            if self._ended is None:
                self._ended = (error,)
        self._news.set()

    # --- caller side -------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop generating (from any thread); the iteration ends with what was produced."""
        if not self.cancelled.is_set():
            self.cancelled.set()
            if self.on_cancel is not None:
                self.on_cancel()
            self.end()
        self.engine.release(self)  # its place in the queue is free now, whoever reads it or not

    def __iter__(self) -> Iterator[str]:
        try:
            while True:
                self._news.wait()
                self._news.clear()
                with self._lock:
                    latest, ended = self._latest, self._ended
                if len(latest) > len(self._ids):
                    self._ids = latest
                    piece = self._filter.feed(self._detok.update(latest))
                    if piece:
                        yield piece
                    if self._filter.stopped:
                        self.cancel()  # a stop string: the rest is not wanted
                        ended = (None,)
                if ended is None:
                    continue
                if ended[0] is not None:
                    raise ended[0]
                tail = "" if self._filter.stopped else self._filter.feed(self._detok.finish())
                tail += self._filter.flush()
                if tail:
                    yield tail
                self.result = self._result()
                return
        finally:
            if self.result is None:  # the caller stopped iterating (a closed stream): free the model
                self.cancel()
            self.engine.release(self)

    def _result(self) -> dict[str, Any]:
        ids = self._ids
        if self._filter.stopped or (ids and ids[-1] in self.engine.eos_ids):
            reason = "stop"
        else:
            reason = "length" if len(ids) >= self.max_tokens else "stop"
        return {"text": self._filter.text, "prompt_tokens": len(self.prompt_ids), "completion_tokens": len(ids),
                "finish_reason": reason, "logprobs": self._reply_logprobs()}

    def _reply_logprobs(self) -> list[dict] | None:
        """The entries of the reply's tokens: not the end marker, nor those after a stop string."""
        if self.logprobs is None:
            return None
        ids, keep = self._ids, len(self._ids)
        if self._filter.stopped:  # keep the tokens that were needed to write the text
            keep = next((n for n in range(1, len(ids) + 1)
                         if self.text_of(ids[:n]).strip().startswith(self._filter.text)), len(ids))
        with self._lock:
            return [e for e, t in zip(self.logprobs[:keep], ids[:keep]) if t not in self.engine.eos_ids]

    def text_of(self, ids: list[int]) -> str:
        return self.engine.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    def run(self) -> dict[str, Any]:
        """Iterate to the end; the result."""
        for _ in self:
            pass
        assert self.result is not None
        return self.result


class Engine:
    """A loaded chat model (``model``, ``tokenizer``) that answers concurrent requests."""

    def __init__(self, name: str, model: Any, tokenizer: Any, *, max_pending: int = MAX_PENDING):
        self.name, self.model, self.tokenizer = name, model, tokenizer
        self.max_pending = max_pending
        self.context = context_length(model, tokenizer)
        self.eos_ids = eos_ids(model, tokenizer)
        self.extra_stops = chatml_fallback_stops(tokenizer)
        self._live: set[Generation] = set()
        self._lock = threading.Lock()
        self._batchers: dict[bool, Batcher] = {}
        self._sequential: Sequential | None = None
        self._grammar_tokenizer: Any = None
        self._grammar_lock = threading.Lock()
        self.batching = True  # False once the batching engine refused this model (then one at a time)
        self.closed = False

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._live)

    @property
    def vocab_size(self) -> int:
        """Rows of the output layer: the token ids ``logit_bias`` may name."""
        return int(self.model.get_output_embeddings().weight.shape[0])

    def prompt_ids(self, messages: list[dict], tools: list[dict] | None = None) -> list[int]:
        """The prompt's token ids: OpenAI messages (and tools) through the model's chat template, as
        training renders them (``afinar.tasks.chat.tools``)."""
        from afinar.tasks.chat.tools import render_prompt

        prompt = render_prompt(self.tokenizer, messages, tools)
        return list(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])

    @property
    def grammar_tokenizer(self) -> Any:
        """The tokenizer as the grammar library sees it (for structured outputs and token bytes),
        built on first use."""
        from afinar.serving.structured import grammar_tokenizer

        with self._grammar_lock:  # not the queue's lock: building it takes half a second
            if self._grammar_tokenizer is None:
                self._grammar_tokenizer = grammar_tokenizer(self.tokenizer, self.eos_ids)
            return self._grammar_tokenizer

    def submit(self, messages: list[dict], *, max_tokens: int | None = None, temperature: float | None = None,
               top_p: float | None = None, seed: int | None = None, stop: list[str] | None = None,
               stream: bool = True, shaping: Any = None, controls: Controls | None = None) -> Generation:
        """Check the request and start it; ContextTooLong, QueueFull, a bad token id or an
        unsupported schema before any work is done. ``stream=False``: the caller wants only the
        whole reply (the batch then hands it over once, at the end, unless stop strings must be
        watched as it grows). ``controls``: penalties and bias, a grammar, logprobs, tools
        (:class:`Controls`; ``shaping`` alone is the same as ``Controls(shaping=...)``); a request
        that asks for any of them is decoded on its own, as a seeded one is."""
        from afinar.serving.backends import BatchingUnsupported

        if self.closed:
            raise AfinarError("serving.stopping")
        controls = controls or Controls(shaping=shaping)
        if controls.shaping is not None and not controls.shaping.neutral:
            controls.shaping.check(self.vocab_size)
        if controls.structure is not None:
            controls.structure.check(self.grammar_tokenizer)
        ids = self.prompt_ids(messages, controls.tools)
        room = self.context - len(ids)
        if room < 1 or (max_tokens is not None and len(ids) + max_tokens > self.context):
            raise ContextTooLong(len(ids), max_tokens, self.context)
        if max_tokens is None:
            max_tokens = room  # what fits, as OpenAI
        gen = Generation(self, ids, int(max_tokens), list(stop or []) + self.extra_stops,
                         logprobs=controls.logprobs is not None)
        with self._lock:
            if len(self._live) >= self.max_pending:
                raise QueueFull(self.name, len(self._live))
            self._live.add(gen)
        temperature = 1.0 if temperature is None else float(temperature)
        top_p = 1.0 if top_p is None else float(top_p)
        try:
            if seed is None and not controls.decoded_alone and self.batching:
                try:
                    watch = stream or bool(gen.stops)
                    self._batcher(temperature > 0).add(gen, temperature, top_p, watch)
                    return gen
                except BatchingUnsupported as err:
                    log.warning("continuous batching cannot run %s (%s): one request at a time", self.name, err)
                    self.batching = False
            self._one_at_a_time().add(gen, temperature, top_p, seed, controls)
        except BaseException:
            self.release(gen)
            raise
        return gen

    def release(self, gen: Generation) -> None:
        with self._lock:
            self._live.discard(gen)

    def _batcher(self, sampling: bool) -> Batcher:
        from afinar.serving.backends import Batcher

        with self._lock:
            if sampling not in self._batchers:
                self._batchers[sampling] = Batcher(self, sampling)
            return self._batchers[sampling]

    def _one_at_a_time(self) -> Sequential:
        from afinar.serving.backends import Sequential

        with self._lock:
            if self._sequential is None:
                self._sequential = Sequential(self)
            return self._sequential

    def close(self) -> None:
        """Cancel every request and stop the engine's threads."""
        self.closed = True
        with self._lock:
            live, batchers, sequential = list(self._live), list(self._batchers.values()), self._sequential
        for gen in live:
            gen.cancel()
        for batcher in batchers:
            batcher.close()
        if sequential is not None:
            sequential.close()


# --- facts about a model ----------------------------------------------------------------------
def context_length(model: Any, tokenizer: Any) -> int:
    """The model's context window in tokens (its position limit; the tokenizer's when smaller)."""
    config = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    limit = int(getattr(config, "max_position_embeddings", 0) or 0) or 2048
    declared = int(getattr(tokenizer, "model_max_length", 0) or 0)
    return min(limit, declared) if 0 < declared < 10**8 else limit


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids = model.generation_config.eos_token_id
    found = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
    if tokenizer.eos_token_id is not None:
        found.add(int(tokenizer.eos_token_id))
    return {int(i) for i in found}


def chatml_fallback_stops(tokenizer: Any) -> list[str]:
    """"<|im_end|>" as a stop string for a base whose vocabulary lacks it under the ChatML fallback."""
    from afinar.tasks.chat.data import CHATML_TEMPLATE

    if tokenizer.chat_template == CHATML_TEMPLATE and "<|im_end|>" not in tokenizer.get_vocab():
        return ["<|im_end|>"]
    return []

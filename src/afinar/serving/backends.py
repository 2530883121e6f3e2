"""How an engine's requests are decoded: :class:`Batcher` (transformers' continuous batching, many
requests in one step) and :class:`Sequential` (``model.generate``, one request at a time: seeded
requests, requests with logits processors of their own, models the batching engine refuses). Both hand every generated id to the request's
:class:`~afinar.serving.engine.Generation` and stop a cancelled request at the next step."""

from __future__ import annotations

import itertools
import logging
import math
import queue
import threading
from typing import TYPE_CHECKING, Any

from afinar.errors import AfinarError

if TYPE_CHECKING:
    from afinar.serving.engine import Controls, Engine, Generation

log = logging.getLogger("afinar.serving")
PAGE = 32  # tokens per page of the batching engine's paged KV cache
BATCH_REQUESTS = 16  # requests decoded together in one step
STEP_TOKENS = 512  # tokens per forward pass: a longer prompt is prefilled in slices
_END = object()


class BatchingUnsupported(Exception):
    pass


class Batcher:
    """transformers' ContinuousBatchingManager for one engine and one sampling mode, with a thread
    that hands each request's outputs to its Generation."""

    def __init__(self, engine: Engine, sampling: bool):
        from transformers import GenerationConfig

        self.engine, self._ids = engine, itertools.count()
        model = engine.model
        config = GenerationConfig.from_dict({**model.generation_config.to_dict(), "max_new_tokens": engine.context})
        # a sampling batch takes each request's temperature and top_p; the values here only make
        # transformers build the processors (it builds none for 1.0)
        config.update(do_sample=sampling, temperature=0.7 if sampling else None, top_p=0.9 if sampling else None,
                      eos_token_id=sorted(engine.eos_ids), pad_token_id=engine.tokenizer.pad_token_id)
        tokens = min(max(engine.context + STEP_TOKENS, 8192), 32768)  # KV cache: a full context and more
        try:
            # inside the try: a transformers whose batching engine takes other settings (5.17 has no
            # ContinuousBatchingConfig(page_size=...), found on a GPU machine) serves one at a time
            from transformers.generation.configuration_utils import ContinuousBatchingConfig

            cb = ContinuousBatchingConfig(page_size=PAGE, num_blocks=math.ceil(tokens / PAGE),
                                          max_batch_tokens=STEP_TOKENS, max_requests_per_batch=BATCH_REQUESTS,
                                          per_request_processors=sampling)
            self.manager = model.init_continuous_batching(generation_config=config, continuous_batching_config=cb)
            # started from a daemon thread, its loop is a daemon too: a CLI that ends never waits on it
            starter = threading.Thread(target=self.manager.start, daemon=True)
            starter.start()
            starter.join()
        except Exception as err:  # noqa: BLE001 - any refusal means: serve this model one at a time
            raise BatchingUnsupported(f"{type(err).__name__}: {err}") from err
        self._live: dict[str, Generation] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._route, name=f"serve-{engine.name}", daemon=True)
        self._thread.start()

    def add(self, gen: Generation, temperature: float, top_p: float, streaming: bool = True) -> None:
        rid = f"r{next(self._ids)}"
        kwargs = {"temperature": temperature, "top_p": top_p} if temperature > 0 else {}
        with self._lock:
            self._live[rid] = gen
        gen.on_cancel = lambda: self._cancel(rid)
        added = self.manager.add_request(gen.prompt_ids, request_id=rid, max_new_tokens=gen.max_tokens,
                                         streaming=streaming, eos_token_id=sorted(self.engine.eos_ids), **kwargs)
        if added is None:
            self._cancel(rid)
            raise BatchingUnsupported("the batching engine refused the request")

    def _cancel(self, rid: str) -> None:
        with self._lock:
            found = self._live.pop(rid, None)
        if found is not None:
            self.manager.cancel_request(rid)

    def _route(self) -> None:
        """Hand each output to its request; fail every request if the batching engine dies."""
        while not self._stop.is_set():
            if not self.manager.is_running():
                self._fail_all(RuntimeError(f"the batching engine of {self.engine.name} stopped"))
                return
            out = self.manager.get_result(timeout=0.1)
            if out is None:
                continue
            with self._lock:
                gen = self._live.get(out.request_id)
                if gen is not None and (out.is_finished() or out.error):
                    del self._live[out.request_id]
            if gen is None:
                continue
            gen.push(list(out.generated_tokens))
            if out.error:
                gen.end(RuntimeError(str(out.error)))
            elif out.is_finished():
                gen.end()

    def _fail_all(self, error: BaseException) -> None:
        with self._lock:
            live, self._live = list(self._live.values()), {}
        for gen in live:
            gen.end(error)

    def close(self) -> None:
        self._stop.set()
        self._fail_all(AfinarError("serving.stopping"))
        try:
            self.manager.stop(block=True, timeout=5)
        except Exception:  # noqa: BLE001 - closing anyway; said in the log
            log.exception("stopping the batching engine of %s", self.engine.name)


class Sequential:
    """``model.generate`` one request at a time on a thread of its own (seeded requests, models the
    batching engine cannot run). A cancelled request stops at the next decoding step."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, name=f"serve1-{engine.name}", daemon=True)
        self._thread.start()

    def add(self, gen: Generation, temperature: float, top_p: float, seed: int | None,
            controls: Controls | None = None) -> None:
        self._queue.put((gen, temperature, top_p, seed, controls))

    def _work(self) -> None:
        while (item := self._queue.get()) is not _END:
            gen = item[0]
            if gen.cancelled.is_set():
                continue
            try:
                self._generate(*item)
                gen.end()
            except BaseException as err:  # noqa: BLE001 - handed to the request's caller
                gen.end(err)

    def _generate(self, gen: Generation, temperature: float, top_p: float, seed: int | None,
                  controls: Controls | None = None) -> None:
        import torch
        from transformers import (
            LogitsProcessorList,
            StoppingCriteria,
            StoppingCriteriaList,
        )
        from transformers.generation.streamers import BaseStreamer

        engine = self.engine
        processors = self._processors(gen, controls)
        recorder = processors[0] if processors and controls is not None and controls.logprobs is not None else None

        class Ids(BaseStreamer):
            def __init__(self) -> None:
                self.ids: list[int] = []
                self.prompt_seen = False

            def put(self, value: Any) -> None:
                if not self.prompt_seen:  # the first call is the prompt
                    self.prompt_seen = True
                    return
                new = [int(v) for v in value.reshape(-1).tolist()]
                if recorder is not None:
                    for token in new:
                        gen.add_logprob(recorder.entry(token))
                self.ids.extend(new)
                gen.push(list(self.ids))

            def end(self) -> None:
                pass

        class Cancelled(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                return torch.full((input_ids.shape[0],), gen.cancelled.is_set(), dtype=torch.bool,
                                  device=input_ids.device)

        kwargs: dict[str, Any] = {"max_new_tokens": gen.max_tokens, "eos_token_id": sorted(engine.eos_ids),
                                  "pad_token_id": engine.tokenizer.pad_token_id or min(engine.eos_ids, default=0),
                                  "streamer": Ids(), "stopping_criteria": StoppingCriteriaList([Cancelled()])}
        if processors:
            # ours, in this order: the raw logprobs, penalties and bias, the grammar, then temperature
            # and nucleus (after the grammar, so the nucleus is taken among the allowed tokens)
            from transformers import TemperatureLogitsWarper, TopPLogitsWarper

            if temperature > 0:
                processors.append(TemperatureLogitsWarper(temperature))
                if top_p < 1:
                    processors.append(TopPLogitsWarper(top_p))
            kwargs["logits_processor"] = LogitsProcessorList(processors)
            kwargs.update(do_sample=temperature > 0, temperature=None, top_p=None, top_k=None)
        elif temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=top_p)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if seed is not None:
            torch.manual_seed(seed)
        ids = torch.tensor([gen.prompt_ids], device=engine.model.device)
        with torch.no_grad():
            engine.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), **kwargs)

    def _processors(self, gen: Generation, controls: Controls | None) -> list[Any]:
        """The request's own logits processors (none for a plain request)."""
        if controls is None or not controls.decoded_alone:
            return []
        engine, processors = self.engine, []
        if controls.logprobs is not None:
            from afinar.serving.logprobs import Recorder, token_bytes_of

            processors.append(Recorder(controls.logprobs, token_bytes_of(engine.grammar_tokenizer)))
        if controls.shaping is not None and not controls.shaping.neutral:
            from afinar.serving.penalties import Penalties

            processors.append(Penalties(controls.shaping, len(gen.prompt_ids)))
        if controls.structure is not None:
            from afinar.serving.structured import Constraint

            processors.append(Constraint(controls.structure, engine.grammar_tokenizer, len(gen.prompt_ids),
                                         engine.eos_ids))
        return processors

    def close(self) -> None:
        self._queue.put(_END)

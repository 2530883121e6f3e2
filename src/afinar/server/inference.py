"""Chat models for the API: loaded on demand, kept in a small LRU, one generation at a time per model.

A model (a base, an ``ft:`` model or one of its ``:ckpt-step-N`` checkpoints) is loaded once with
``afinar.tasks.chat.predict.load`` and kept while it is among the ``size`` most recently used.
Generations on the same model are serialised by that model's lock, so concurrent requests never
share a generation's state: each gets exactly its own reply. Streaming runs the generation in a
thread and hands text pieces over a queue.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_TOKENS = 512


@dataclass
class Loaded:
    name: str
    model: Any
    tokenizer: Any
    lock: threading.Lock = field(default_factory=threading.Lock)


class ModelPool:
    def __init__(self, size: int = 2):
        self.size = max(1, size)
        self._models: OrderedDict[str, Loaded] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, spec: str) -> Loaded:
        """The loaded model for ``spec`` (AfinarError when it does not exist or is not ready)."""
        with self._lock:
            if spec in self._models:
                self._models.move_to_end(spec)
                return self._models[spec]
            gate = self._loading.setdefault(spec, threading.Lock())
        with gate:  # one load per model, even when many requests ask for it at once
            with self._lock:
                if spec in self._models:
                    return self._models[spec]
            from afinar.tasks.chat.predict import load

            model, tokenizer, _ = load(spec)
            loaded = Loaded(spec, model, tokenizer)
            with self._lock:
                self._models[spec] = loaded
                while len(self._models) > self.size:
                    self._models.popitem(last=False)
                self._loading.pop(spec, None)
            return loaded

    def evict(self, spec: str) -> None:
        with self._lock:
            for name in [n for n in self._models if n == spec or n.startswith(spec + ":")]:
                del self._models[name]

    def loaded(self) -> list[str]:
        with self._lock:
            return list(self._models)

    def generate(self, spec: str, messages: list[dict], **params: Any) -> dict[str, Any]:
        """One complete reply: {"text", "prompt_tokens", "completion_tokens", "finish_reason"}."""
        result: dict[str, Any] = {}
        for item in self.stream(spec, messages, **params):
            if isinstance(item, dict):
                result = item
        return result

    def stream(self, spec: str, messages: list[dict], *, max_tokens: int | None = None,
               temperature: float | None = None, top_p: float | None = None, seed: int | None = None,
               stop: list[str] | None = None) -> Iterator[str | dict[str, Any]]:
        """Yield text pieces as they are generated, then the result dict (text without stop strings)."""
        from afinar.tasks.chat.predict import generate

        loaded = self.get(spec)
        pieces: queue.Queue = queue.Queue()
        stops = [s for s in (stop or []) if s]
        cut = _StopFilter(stops)

        def run() -> None:
            try:
                with loaded.lock:
                    result = generate(loaded.model, loaded.tokenizer, normalize_messages(messages),
                                      max_new_tokens=max_tokens or DEFAULT_MAX_TOKENS,
                                      temperature=1.0 if temperature is None else float(temperature),
                                      top_p=1.0 if top_p is None else float(top_p), seed=seed,
                                      on_text=pieces.put, stop=stops or None)
                pieces.put(("done", result))
            except BaseException as err:  # noqa: BLE001 - handed to the consumer
                pieces.put(("error", err))

        threading.Thread(target=run, name=f"generate-{spec}", daemon=True).start()
        while True:
            item = pieces.get()
            if isinstance(item, tuple):
                kind, value = item
                if kind == "error":
                    raise value
                tail = cut.flush()
                if tail:
                    yield tail
                if cut.stopped:
                    value = {**value, "finish_reason": "stop"}
                value["text"] = cut.text
                yield value
                return
            text = cut.feed(item)
            if text:
                yield text


class _StopFilter:
    """Hold back just enough streamed text to never emit a stop string (or anything after it)."""

    def __init__(self, stops: list[str]):
        self.stops, self.keep = stops, max((len(s) for s in stops), default=1) - 1
        self.buffer, self.text, self.stopped = "", "", False

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        if not self.text and not self.buffer:
            piece = piece.lstrip()
        self.buffer += piece
        hits = [self.buffer.find(s) for s in self.stops if s in self.buffer]
        if hits:
            out, self.buffer, self.stopped = self.buffer[:min(hits)], "", True
        elif self.keep and len(self.buffer) > self.keep:
            out, self.buffer = self.buffer[:-self.keep], self.buffer[-self.keep:]
        elif not self.keep:
            out, self.buffer = self.buffer, ""
        else:
            out = ""
        self.text += out
        return out

    def flush(self) -> str:
        out = "" if self.stopped else self.buffer.rstrip()
        self.text = (self.text + out).strip()
        self.buffer = ""
        return out


def normalize_messages(messages: list[dict]) -> list[dict]:
    """OpenAI request messages → what chat templates expect: text content, developer → system."""
    out = []
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        role = {"developer": "system"}.get(msg.get("role", "user"), msg.get("role", "user"))
        out.append({"role": role, "content": content or ""})
    return out

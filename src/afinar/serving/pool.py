"""The loaded chat models of a process: a small LRU of engines, one load per model at a time.

The server makes one pool for the API and the studio; the CLI, RAG and the studio without a
server share :func:`default_pool`. Names are checked against what this machine has first
(:mod:`afinar.serving.resolve`), so a request never starts a download.
"""

from __future__ import annotations

import atexit
import threading
from collections import OrderedDict
from typing import Any

from afinar.serving.engine import MAX_PENDING, Engine, Generation
from afinar.serving.resolve import CHAT, resolve


class ModelPool:
    def __init__(self, size: int = 2, *, max_pending: int = MAX_PENDING, allow_paths: bool = True):
        self.size, self.max_pending, self.allow_paths = max(1, size), max_pending, allow_paths
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, spec: str) -> Engine:
        """The engine of chat model ``spec``, loaded on first use (ModelUnavailable / WrongKind
        when this machine has no such chat model)."""
        with self._lock:
            if spec in self._engines:
                self._engines.move_to_end(spec)
                return self._engines[spec]
        resolve(spec, CHAT, allow_paths=self.allow_paths)
        with self._lock:
            gate = self._loading.setdefault(spec, threading.Lock())
        with gate:  # one load per model, even when many requests ask for it at once
            with self._lock:
                if spec in self._engines:
                    return self._engines[spec]
            from afinar.tasks.chat.predict import load

            model, tokenizer, _ = load(spec)
            engine = Engine(spec, model, tokenizer, max_pending=self.max_pending)
            with self._lock:
                self._engines[spec] = engine
                self._loading.pop(spec, None)
                self._shrink()
            return engine

    def _shrink(self) -> None:
        """Unload the least recently used idle engines beyond ``size`` (a busy one stays)."""
        for name in list(self._engines):
            if len(self._engines) <= self.size:
                return
            engine = self._engines[name]
            if engine.busy == 0:
                del self._engines[name]
                engine.close()

    def submit(self, spec: str, messages: list[dict], **params: Any) -> Generation:
        return self.get(spec).submit(messages, **params)

    def generate(self, spec: str, messages: list[dict], **params: Any) -> dict[str, Any]:
        return self.submit(spec, messages, stream=False, **params).run()

    def answer_all(self, spec: str, conversations: list[list[dict]], **params: Any) -> list[dict[str, Any]]:
        """One reply to each conversation, decoded together (as many at once as the queue holds)."""
        engine, results = self.get(spec), []
        step = max(1, engine.max_pending)
        for first in range(0, len(conversations), step):
            gens = [engine.submit(c, stream=False, **params) for c in conversations[first:first + step]]
            results += [gen.run() for gen in gens]
        return results

    def evict(self, spec: str) -> None:
        with self._lock:
            names = [n for n in self._engines if n == spec or n.startswith(spec + ":")]
            engines = [self._engines.pop(n) for n in names]
        for engine in engines:
            engine.close()

    def loaded(self) -> list[str]:
        with self._lock:
            return list(self._engines)

    def in_progress(self) -> dict[str, int]:
        """Requests in progress or waiting, per loaded model."""
        with self._lock:
            engines = dict(self._engines)
        return {name: engine.busy for name, engine in engines.items()}

    def close(self) -> None:
        """Cancel every generation and stop every engine (server shutdown). The pool stays usable:
        a later request loads its model again."""
        with self._lock:
            engines, self._engines = list(self._engines.values()), OrderedDict()
        for engine in engines:
            engine.close()


_default: ModelPool | None = None
_default_lock = threading.Lock()


def default_pool() -> ModelPool:
    """The process's shared pool (CLI, RAG, the studio without a server)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ModelPool(2)
            atexit.register(_default.close)
        return _default

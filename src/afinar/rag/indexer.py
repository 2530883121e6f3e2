"""Indexing: files -> documents -> chunks -> passage vectors -> the knowledge base's Chroma collection.

A file whose bytes did not change since it was indexed (same sha256) is skipped; a changed file has
its old chunks deleted and its new ones added. A file that cannot be read (a corrupt PDF, a broken
CSV) is reported in ``IndexReport.failed`` and the other files are still indexed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.rag import loaders
from afinar.rag.chunking import chunk_text
from afinar.rag.config import IndexConfig
from afinar.rag.store import FileEntry, KnowledgeBase, list_names, utc_now

FIXED = ("embedding_model", "chunk_size", "chunk_overlap")


@dataclass
class IndexReport:
    name: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    failed: list[tuple[str, AfinarError]] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "empty": self.empty, "chunks": self.chunks, "seconds": round(self.seconds, 3),
                "failed": [{"source": src, "error": err.message(), "hint": err.hint()} for src, err in self.failed]}


def chunk_id(source: str, n: int) -> str:
    return f"{hashlib.sha1(source.encode('utf-8')).hexdigest()[:16]}:{n}"


def open_or_create(name: str, config: IndexConfig | None) -> KnowledgeBase:
    """The knowledge base ``name``; created with ``config`` when new. Settings given for an existing
    one must match the stored ones (its vectors depend on them); ``min_score`` may change."""
    if config is not None:
        config = _absolute_model_path(config)
    if name not in list_names():
        return KnowledgeBase.create(name, config or IndexConfig())
    kb = KnowledgeBase.open(name)
    if config is None:
        return kb
    given = config.model_fields_set
    differ = [f"{f}: {getattr(kb.config, f)!r} -> {getattr(config, f)!r}" for f in FIXED
              if f in given and getattr(config, f) != getattr(kb.config, f)]
    if differ:
        raise AfinarError("rag.kb.settings_differ", name=name, changes="; ".join(differ))
    if "min_score" in given and config.min_score != kb.config.min_score:
        kb.config = kb.config.model_copy(update={"min_score": config.min_score})
        kb.save()
    return kb


def _absolute_model_path(config: IndexConfig) -> IndexConfig:
    """A local embedding-model folder is stored as an absolute path (it must work from any folder)."""
    path = Path(config.embedding_model).expanduser()
    if "embedding_model" not in config.model_fields_set or not path.is_dir():
        return config
    return config.model_copy(update={"embedding_model": str(path.resolve())})


def document_chunks(doc: loaders.Document, config: IndexConfig) -> list[tuple[str, dict[str, Any]]]:
    """(text, metadata) of every chunk of ``doc``, numbered from 0 across its sections."""
    out: list[tuple[str, dict[str, Any]]] = []
    for section in doc.sections:
        pieces = chunk_text(section.text, config.chunk_size, config.chunk_overlap, keep_lines=section.keep_lines)
        for text in pieces:
            meta: dict[str, Any] = {"source": doc.source, "chunk": len(out), "sha256": doc.sha256, **section.where}
            out.append((text, meta))
    return out


def index(name: str, paths: list[Path], config: IndexConfig | None = None, *, embedder: Any = None,
          on_file: Callable[[str, str, int], None] | None = None) -> IndexReport:
    """Index ``paths`` (files and folders) into the knowledge base ``name`` (created if new).

    ``on_file(source, status, chunks)`` is called per file; status is added, updated, unchanged,
    empty or failed. Raises AfinarError only for problems with the arguments (a missing path, an
    unsupported file named explicitly, settings that differ from the stored ones).
    """
    started = time.perf_counter()
    files = loaders.collect_files(paths)
    kb = open_or_create(name, config)
    report = IndexReport(kb.name)
    if embedder is None:
        from afinar.embeddings import get_embedder

        embedder = get_embedder(kb.config.embedding_model)
    collection = kb.collection()
    for path in files:
        source = str(path)
        try:
            doc = loaders.load(path)
        except AfinarError as err:
            report.failed.append((source, err))
            _notify(on_file, source, "failed", 0)
            continue
        old = kb.files.get(source)
        if old is not None and old.sha256 == doc.sha256:
            report.unchanged.append(source)
            _notify(on_file, source, "unchanged", old.chunks)
            continue
        chunks = document_chunks(doc, kb.config)
        _replace(kb, collection, embedder, source, chunks)
        status = "empty" if not chunks else "updated" if old is not None else "added"
        getattr(report, status).append(source)
        report.chunks += len(chunks)
        kb.files[source] = FileEntry(doc.sha256, len(chunks), utc_now())
        kb.save()
        _notify(on_file, source, status, len(chunks))
    report.seconds = time.perf_counter() - started
    return report


def _notify(on_file: Callable[[str, str, int], None] | None, source: str, status: str, chunks: int) -> None:
    if on_file is not None:
        on_file(source, status, chunks)


def _replace(kb: KnowledgeBase, collection: Any, embedder: Any, source: str,
             chunks: list[tuple[str, dict[str, Any]]]) -> None:
    """Delete the chunks of ``source`` and add ``chunks`` (embedded as passages) in their place."""
    collection.delete(where={"source": source})
    if not chunks:
        return
    vectors = embedder.embed([text for text, _ in chunks], kind="passage")
    if kb.dim and kb.dim != vectors.shape[1]:
        raise AfinarError("rag.kb.dim_mismatch", name=kb.name, stored=kb.dim, got=int(vectors.shape[1]))
    kb.dim = int(vectors.shape[1])
    add_vectors(collection, [chunk_id(source, m["chunk"]) for _, m in chunks], vectors,
                [t for t, _ in chunks], [m for _, m in chunks])


def add_vectors(collection: Any, ids: list[str], vectors: Any, texts: list[str], metas: list[dict]) -> None:
    """Add in batches Chroma accepts (its SQLite limits the size of one insert)."""
    step = 2000
    for start in range(0, len(ids), step):
        end = start + step
        collection.add(ids=ids[start:end], embeddings=vectors[start:end], documents=texts[start:end],
                       metadatas=metas[start:end])


def remove(name: str, doc: str | None = None) -> list[str]:
    """Delete a document's chunks (``doc``: its path or file name), or the whole knowledge base."""
    from afinar.rag import store

    if doc is None:
        store.delete(name)
        return []
    kb = KnowledgeBase.open(name)
    source = kb.find_source(doc)
    if source is None:
        raise AfinarError("rag.kb.unknown_doc", name=name, doc=doc,
                          choices=", ".join(Path(s).name for s in kb.files) or "-")
    kb.collection().delete(where={"source": source})
    del kb.files[source]
    kb.save()
    return [source]

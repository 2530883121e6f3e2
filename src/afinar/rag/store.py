"""Knowledge bases on disk: ``AFINAR_HOME/rag/NAME/`` holds ``kb.json`` (settings and the indexed
files with their content hash) and ``chroma/``, a persistent Chroma collection of the chunks.

Chroma only stores and searches vectors: every vector is computed by ``afinar.embeddings`` and
passed in, the collection has no embedding function (Chroma never loads or downloads its default
ONNX model), and telemetry is off. Chunk ids are ``<sha1 of the source path>:<chunk number>``;
each chunk's metadata holds ``source``, ``chunk``, the file's ``sha256`` and its ``page``/``row``.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.paths import afinar_home
from afinar.rag.config import NAME_RE, IndexConfig, default_min_score

COLLECTION = "chunks"
# Chroma's HNSW index: cosine space, ef_search 100 (Chroma's default), a denser graph at build time;
# recall@10 against exact search was 0.98 at 11.5k chunks (bench/bench_rag.py, docs/benchmarks.md).
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 100}
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def rag_dir() -> Path:
    return afinar_home() / "rag"


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise AfinarError("rag.kb.bad_name", name=name)
    return name


@dataclass
class FileEntry:
    sha256: str
    chunks: int
    indexed_at: str


@dataclass
class KnowledgeBase:
    """One knowledge base: its settings, its files and (opened lazily) its Chroma collection."""

    name: str
    config: IndexConfig
    dim: int = 0
    created: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return rag_dir() / self.name

    @property
    def min_score(self) -> float:
        if self.config.min_score is not None:
            return self.config.min_score
        return default_min_score(self.config.embedding_model)

    @classmethod
    def open(cls, name: str) -> KnowledgeBase:
        """An existing knowledge base; AfinarError listing the existing ones if there is none."""
        path = rag_dir() / check_name(name) / "kb.json"
        if not path.is_file():
            raise AfinarError("rag.kb.unknown", name=name, choices=", ".join(list_names()) or "-")
        data = json.loads(path.read_text(encoding="utf-8"))
        files = {src: FileEntry(**entry) for src, entry in data.get("files", {}).items()}
        return cls(data["name"], IndexConfig(**data["config"]), data.get("dim", 0), data.get("created", ""), files)

    @classmethod
    def create(cls, name: str, config: IndexConfig) -> KnowledgeBase:
        kb = cls(check_name(name), config, created=utc_now())
        kb.save()
        return kb

    def save(self) -> None:
        """Write kb.json atomically (a reader never sees half a file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"name": self.name, "config": self.config.model_dump(), "dim": self.dim,
                "created": self.created, "files": {src: asdict(e) for src, e in sorted(self.files.items())}}
        tmp = self.folder / f"kb.json.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.folder / "kb.json")

    def collection(self) -> Any:
        """The Chroma collection of this knowledge base (created empty the first time)."""
        client = _client(self.folder / "chroma")
        return client.get_or_create_collection(COLLECTION, embedding_function=None,
                                               configuration={"hnsw": dict(HNSW)})

    def chunk_count(self) -> int:
        return sum(e.chunks for e in self.files.values())

    def find_source(self, doc: str) -> str | None:
        """The indexed source named by ``doc``: its path (as given or resolved) or its file name."""
        candidates = [str(Path(doc).expanduser().resolve()), doc]
        for cand in candidates:
            if cand in self.files:
                return cand
        by_name = [src for src in self.files if Path(src).name == doc]
        return by_name[0] if len(by_name) == 1 else None


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _client(path: Path) -> Any:
    """One Chroma client per folder per process (Chroma shares its system per path anyway)."""
    import chromadb
    from chromadb.config import Settings

    key = str(path)
    with _clients_lock:
        if key not in _clients:
            path.mkdir(parents=True, exist_ok=True)
            _clients[key] = chromadb.PersistentClient(
                path=key, settings=Settings(anonymized_telemetry=False, allow_reset=False))
        return _clients[key]


def list_names() -> list[str]:
    root = rag_dir()
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob("*/kb.json"))


def delete(name: str) -> None:
    """Remove a whole knowledge base (its folder under AFINAR_HOME/rag)."""
    folder = KnowledgeBase.open(name).folder
    with _clients_lock:
        client = _clients.pop(str(folder / "chroma"), None)
    if client is not None:
        if COLLECTION in {c.name for c in client.list_collections()}:
            client.delete_collection(COLLECTION)
        client.close()  # releases Chroma's SQLite connection before the files go
    shutil.rmtree(folder)

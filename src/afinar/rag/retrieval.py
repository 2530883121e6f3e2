"""Search: the question embedded as a query, the nearest chunks from Chroma (cosine), optionally
re-ranked with maximal marginal relevance (MMR) so near-duplicate chunks do not fill every slot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.rag.store import KnowledgeBase

MAX_K = 100


@dataclass
class Hit:
    """One retrieved chunk. ``score`` is the cosine similarity (1 = same direction)."""

    source: str
    chunk: int
    text: str
    score: float
    where: dict[str, int] = field(default_factory=dict)  # {"page": n} for PDFs, {"row": line} for CSV rows

    @property
    def name(self) -> str:
        return Path(self.source).name

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": round(self.score, 4)}


def search(name: str, query: str, k: int = 4, *, mmr: bool = False, fetch_k: int | None = None,
           mmr_lambda: float = 0.5, embedder: Any = None, kb: KnowledgeBase | None = None) -> list[Hit]:
    """The ``k`` chunks of knowledge base ``name`` nearest to ``query``, best first."""
    if not 1 <= k <= MAX_K:
        raise AfinarError("rag.search.bad_k", k=k, max=MAX_K)
    if not query.strip():
        raise AfinarError("rag.search.empty_query")
    kb = kb or KnowledgeBase.open(name)
    if embedder is None:
        from afinar.embeddings import get_embedder

        embedder = get_embedder(kb.config.embedding_model)
    vector = embedder.embed([query], kind="query")
    collection = kb.collection()
    total = collection.count()
    if total == 0:
        return []
    n = min(total, max(k, fetch_k or 4 * k) if mmr else k)
    include = ["documents", "metadatas", "distances"] + (["embeddings"] if mmr else [])
    found = collection.query(query_embeddings=vector, n_results=n, include=include)
    hits = [_hit(doc, meta, dist) for doc, meta, dist in
            zip(found["documents"][0], found["metadatas"][0], found["distances"][0])]
    if mmr and len(hits) > k:
        import numpy as np

        order = mmr_order(vector[0], np.asarray(found["embeddings"][0], dtype=np.float32), k, mmr_lambda)
        return [hits[i] for i in order]
    return hits[:k]


def _hit(doc: str, meta: dict, distance: float) -> Hit:
    where = {key: int(meta[key]) for key in ("page", "row") if key in meta}
    return Hit(str(meta["source"]), int(meta["chunk"]), doc, 1.0 - float(distance), where)


def mmr_order(query: Any, candidates: Any, k: int, lam: float = 0.5) -> list[int]:
    """Indices of ``k`` candidates chosen greedily by ``lam * sim(query) - (1 - lam) * max sim(chosen)``.

    Vectors are L2-normalised, so dot products are cosines. ``lam = 1`` is plain similarity order.
    """
    import numpy as np

    to_query = candidates @ query
    chosen: list[int] = []
    left = list(range(len(candidates)))
    while left and len(chosen) < k:
        if chosen:
            redundancy = (candidates[left] @ candidates[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(left), dtype=np.float32)
        scores = lam * to_query[left] - (1 - lam) * redundancy
        best = left[int(np.argmax(scores))]
        chosen.append(best)
        left.remove(best)
    return chosen

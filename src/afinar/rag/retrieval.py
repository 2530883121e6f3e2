"""Search: hybrid retrieval over a knowledge base. The question is embedded as a query (dense,
cosine over the stored passage vectors) and cut into terms (lexical, BM25 with ``bm25s``); the two
rankings are fused by reciprocal rank fusion, so a chunk that names the question's exact words
("Trek Marlin 5", "1,099") comes up even when its vector is not the nearest, and a paraphrase
with none of its words is still found by meaning. ``--mmr`` then re-ranks the fused candidates
with maximal marginal relevance so near-duplicate chunks do not fill every slot.

No offline cross-encoder or late-interaction reranker exists in the package registries this
project can use (``flashrank`` and the sentence-transformers rerankers download their weights at
run time), so there is no reranking model; the abstention rule (``afinar.rag.grounding``) uses
the question's terms instead, and docs/rag.md shows the measurements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError
from afinar.rag.store import KnowledgeBase

MAX_K = 100
RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al. 2009), as Elasticsearch and Vespa use
POOL = 20  # candidates taken from each ranking before fusion
LEXICAL_WEIGHT = 0.5  # the BM25 ranking's weight in the fusion (the dense ranking's is 1): docs/rag.md


@dataclass
class Hit:
    """One retrieved chunk. ``score`` is the cosine similarity (1 = same direction); ``lexical``
    its BM25 score for the question's terms (0 = none of them); hits come in fused order."""

    source: str
    chunk: int
    text: str
    score: float
    where: dict[str, int] = field(default_factory=dict)  # {"page": n} for PDFs, {"row": line} for CSV rows
    lexical: float = 0.0

    @property
    def name(self) -> str:
        return Path(self.source).name

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": round(self.score, 4), "lexical": round(self.lexical, 4)}


@dataclass
class Retrieved:
    """What one search found: the hits and what the abstention rule needs to judge them."""

    hits: list[Hit]
    corpus: Any  # afinar.rag.lexical.Corpus
    question_terms: list[str]
    vector: Any = None  # the question's query vector
    embedder: Any = None
    _cosines: dict[str, float] = field(default_factory=dict, repr=False)

    def similarity(self, texts: list[str]) -> list[float]:
        """Cosine of the question with each of ``texts`` embedded as passages (each text embedded
        once per search: the abstention checks and the extractive answer judge the same sentences)."""
        if not texts or self.embedder is None:
            return [0.0] * len(texts)
        import numpy as np

        new = list(dict.fromkeys(t for t in texts if t not in self._cosines))
        if new:
            vectors = np.asarray(self.embedder.embed(new, kind="passage"), dtype=np.float32)
            self._cosines.update(zip(new, (float(x) for x in vectors @ self.vector)))
        return [self._cosines[t] for t in texts]


def retrieve(kb: KnowledgeBase, query: str, k: int = 4, *, mmr: bool = False, fetch_k: int | None = None,
             mmr_lambda: float = 0.5, embedder: Any = None, hybrid: bool = True) -> Retrieved:
    """The ``k`` best chunks of ``kb`` for ``query`` with the evidence about them (see the module doc)."""
    import numpy as np

    from afinar.rag.lexical import corpus_of, terms

    if not 1 <= k <= MAX_K:
        raise AfinarError("rag.search.bad_k", k=k, max=MAX_K)
    if not query.strip():
        raise AfinarError("rag.search.empty_query")
    corpus = corpus_of(kb)
    question_terms = terms(query, corpus.lang) if len(corpus) else []
    if not len(corpus):
        return Retrieved([], corpus, question_terms)
    if embedder is None:
        from afinar.embeddings import get_embedder

        embedder = get_embedder(kb.config.embedding_model)
    vector = np.asarray(embedder.embed([query], kind="query"), dtype=np.float32)[0]
    sims = corpus.vectors @ vector
    pool = min(len(corpus), max(POOL, k, fetch_k or 4 * k))
    dense = np.argsort(-sims, kind="stable")[:pool]
    fused: dict[int, float] = {int(i): 1.0 / (RRF_K + r) for r, i in enumerate(dense, 1)}
    lexical = corpus.lexical_scores(question_terms) if hybrid else np.zeros(len(corpus), dtype=np.float32)
    if hybrid:
        for r, i in enumerate(np.argsort(-lexical, kind="stable")[:pool], 1):
            if lexical[i] > 0:
                fused[int(i)] = fused.get(int(i), 0.0) + LEXICAL_WEIGHT / (RRF_K + r)
    order = sorted(fused, key=lambda i: (-fused[i], -sims[i]))
    if mmr and len(order) > k:
        order = [order[j] for j in mmr_order(vector, corpus.vectors[order], k, mmr_lambda)]
    hits = [_hit(corpus, i, float(sims[i]), float(lexical[i])) for i in order[:k]]
    return Retrieved(hits, corpus, question_terms, vector, embedder)


def search(name: str, query: str, k: int = 4, *, mmr: bool = False, fetch_k: int | None = None,
           mmr_lambda: float = 0.5, embedder: Any = None, kb: KnowledgeBase | None = None,
           hybrid: bool = True) -> list[Hit]:
    """The ``k`` chunks of knowledge base ``name`` that best match ``query``, best first."""
    kb = kb or KnowledgeBase.open(name)
    return retrieve(kb, query, k, mmr=mmr, fetch_k=fetch_k, mmr_lambda=mmr_lambda, embedder=embedder,
                    hybrid=hybrid).hits


def _hit(corpus: Any, i: int, score: float, lexical: float) -> Hit:
    meta = corpus.metas[i]
    where = {key: int(meta[key]) for key in ("page", "row") if key in meta}
    return Hit(str(meta["source"]), int(meta["chunk"]), corpus.texts[i], score, where, lexical)


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

"""RAG: indexing throughput and search latency/recall of Chroma against exact numpy search, same run.

Corpus: every statement of chatterbot-corpus (all ~20 languages, ~20k lines), one text document
per YAML file, indexed with the real path (``afinar.rag.index``: loaders, sentence-aware chunking,
multilingual-e5-small passage embeddings, Chroma) at a chunk size that gives ~10k chunks
(100 characters, 60 of overlap), plus the course text and this repository's Markdown docs.

Measured, in one process on the same vectors:

- indexing: chunks, wall time, and embedding throughput (chunks/s, time inside ``embed`` only);
- search latency p50/p95 over ``--queries`` questions (statements sampled with a fixed seed):
  ``chroma``: ``afinar.rag.search`` (query embedding + Chroma HNSW top-10, what ``afinar rag search``
  and the server run); ``exact``: the same query embedding + a numpy brute-force dot product over
  all stored vectors (the named peer). The store-only parts are also timed on their own;
- Chroma's recall@10 against the exact top-10 (ids).

Goals (issue #8): p50 <= 30 ms for the search path with the query embedding, recall@10 >= 0.95.
Run: ``python bench/bench_rag.py [--chunk-size 100] [--queries 300]``. Needs the packaged
multilingual-e5-small (pulled on first use) and chatterbot-corpus.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from afinar import rag
from afinar.embeddings import Embedder
from afinar.rag.config import IndexConfig


def corpus() -> dict[str, list[str]]:
    """{document: lines}: every chatterbot-corpus YAML file that parses, the course (shared/seed) and
    this repository's Markdown docs (to reach ~10k chunks of real text)."""
    root = Path(importlib.util.find_spec("chatterbot_corpus").origin).parent / "data"
    docs: dict[str, list[str]] = {}
    markdown = sorted((REPO / "docs").glob("*.md")) + sorted(REPO.parent.glob("shared/seed/*.md"))
    for path in markdown + [REPO / "README.md"]:
        docs[f"md-{path.stem}"] = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted(root.rglob("*.yml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        lines = [str(s).strip() for conv in (doc or {}).get("conversations") or [] for s in conv
                 if isinstance(s, str | int | float) and str(s).strip()]
        if lines:
            docs[f"{path.parent.name}-{path.stem}"] = lines
    return docs


class TimedEmbedder:
    """The real embedder, with the time spent inside ``embed`` added up per kind."""

    def __init__(self, inner: Embedder):
        self.inner, self.seconds, self.count = inner, {"passage": 0.0, "query": 0.0}, {"passage": 0, "query": 0}

    def embed(self, texts: list[str], kind: str = "passage", **kw) -> np.ndarray:
        start = time.perf_counter()
        out = self.inner.embed(texts, kind=kind, **kw)
        self.seconds[kind] += time.perf_counter() - start
        self.count[kind] += len(texts)
        return out


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def build_index(docs: dict[str, list[str]], size: int, overlap: int, emb: TimedEmbedder,
                folder: Path) -> tuple[str, float]:
    for name, lines in docs.items():
        (folder / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
    started = time.perf_counter()
    report = rag.index("bench", [folder], IndexConfig(chunk_size=size, chunk_overlap=overlap), embedder=emb)
    wall = time.perf_counter() - started
    print(f"{len(report.added)} documents added, {len(report.updated)} updated, {len(report.unchanged)} unchanged "
          f"-> {report.chunks} chunks embedded (chunk size {size} chars, overlap {overlap}) in {wall:.1f} s; "
          f"{len(report.failed)} failed")
    return "bench", wall


def _timed(into: list[float], fn):
    start = time.perf_counter()
    out = fn()
    into.append(time.perf_counter() - start)
    return out


def measure(name: str, queries: list[str], emb: TimedEmbedder) -> dict[str, list]:
    collection = rag.KnowledgeBase.open(name).collection()
    stored = collection.get(include=["embeddings"])
    ids = np.asarray(stored["ids"])
    matrix = np.asarray(stored["embeddings"], dtype=np.float32)
    index_of = {chunk: n for n, chunk in enumerate(ids)}
    print(f"{len(ids)} vectors of dimension {matrix.shape[1]} in Chroma")
    res: dict[str, list] = {k: [] for k in ("chroma", "exact", "chroma_store", "exact_store", "embed", "recall",
                                            "recall_ids")}
    for q in queries[:5]:  # warm-up: first query paths, caches
        rag.search(name, q, 10, embedder=emb)
    for n, q in enumerate(queries):
        if n % 2:  # alternate which path goes first, so neither gains from the other's warm caches
            hits = _timed(res["chroma"], lambda: rag.search(name, q, 10, embedder=emb))  # noqa: B023
        t0 = time.perf_counter()
        vec = emb.embed([q], kind="query")
        t1 = time.perf_counter()
        scores = matrix @ vec[0]
        top = np.argpartition(-scores, 10)[:10]
        top = top[np.argsort(-scores[top])]
        t2 = time.perf_counter()
        res["exact"].append(t2 - t0)
        res["embed"].append(t1 - t0)
        res["exact_store"].append(t2 - t1)
        if not n % 2:
            hits = _timed(res["chroma"], lambda: rag.search(name, q, 10, embedder=emb))  # noqa: B023
        t0 = time.perf_counter()
        found = collection.query(query_embeddings=vec, n_results=10, include=["distances"])
        res["chroma_store"].append(time.perf_counter() - t0)
        got = {rag.indexer.chunk_id(h.source, h.chunk) for h in hits}
        assert got == set(found["ids"][0]), "rag.search and a direct Chroma query disagree"
        res["recall_ids"].append(len(got & set(ids[top])) / 10)
        # the corpus repeats statements, so equal vectors tie: a hit counts when its exact score is
        # at least the exact 10th score (ties broken either way are equally right)
        kth = scores[top[-1]] - 1e-6
        res["recall"].append(sum(scores[index_of[i]] >= kth for i in got) / 10)
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunk-size", type=int, default=100, help="chunk size (100 gives ~10k chunks)")
    parser.add_argument("--overlap", type=int, default=60)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--model", default="multilingual-e5-small")
    parser.add_argument("--home", help="keep the knowledge base in this AFINAR_HOME; a second run re-uses it "
                                       "(unchanged files are skipped) and only measures search")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's, one per core)")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"{date.today()} · {platform.machine()} · {os.cpu_count()} CPU cores · torch threads "
          f"{torch.get_num_threads()} · Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(args.home or tmp)
        os.environ["AFINAR_HOME"] = str(home)
        real_models = Path.home() / ".afinar" / "models"
        if real_models.is_dir() and not (home / "models").exists():  # reuse already-converted bases
            home.mkdir(parents=True, exist_ok=True)
            os.symlink(real_models, home / "models")
        emb = TimedEmbedder(Embedder.load(args.model))
        docs = corpus()
        print(f"documents: {len(docs)} files, {sum(map(len, docs.values()))} lines")
        folder = home / "docs"
        folder.mkdir(exist_ok=True)
        name, wall = build_index(docs, args.chunk_size, args.overlap, emb, folder)
        chunks = emb.count["passage"]
        if chunks:
            print(f"embedding: {chunks} chunks in {emb.seconds['passage']:.1f} s = "
                  f"{chunks / emb.seconds['passage']:.1f} chunks/s; indexing {chunks / wall:.1f} chunks/s end to end")
        else:
            print("embedding: not measured (the index in --home was up to date, nothing re-embedded)")
        statements = [s for lines in docs.values() for s in lines if len(s) > 10]
        queries = random.Random(0).sample(statements, args.queries)
        res = measure(name, queries, emb)
    ms = {k: [v * 1000 for v in vals] for k, vals in res.items() if not k.startswith("recall")}
    print(f"\n{'path (ms)':<36}{'p50':>8}{'p95':>8}")
    for key, label in [("chroma", "chroma: rag.search (embed + HNSW)"), ("exact", "exact: embed + numpy brute force"),
                       ("embed", "query embedding alone"), ("chroma_store", "Chroma query alone"),
                       ("exact_store", "numpy brute force alone")]:
        print(f"{label:<36}{percentile(ms[key], 50):>8.2f}{percentile(ms[key], 95):>8.2f}")
    recall = statistics.mean(res["recall"])
    p50 = percentile(ms["chroma"], 50)
    print(f"\nChroma recall@10 against exact: {recall:.4f} (min {min(res['recall']):.1f}) over {len(queries)} queries;"
          f" by chunk id, ties not counted: {statistics.mean(res['recall_ids']):.4f}")
    print(f"ratio p50 chroma / exact (search path): {p50 / percentile(ms['exact'], 50):.2f}x; store only: "
          f"{percentile(ms['chroma_store'], 50) / percentile(ms['exact_store'], 50):.2f}x")
    print(f"goals: p50 {p50:.1f} ms <= 30 ms: {'met' if p50 <= 30 else 'NOT met'}; "
          f"recall@10 {recall:.3f} >= 0.95: {'met' if recall >= 0.95 else 'NOT met'}")


if __name__ == "__main__":
    main()

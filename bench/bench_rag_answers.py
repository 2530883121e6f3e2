"""RAG answers end to end, on several small corpora, against the course's LangChain pipeline.

For each corpus (a folder with ``docs/`` and ``qa.jsonl``: answerable questions with their expected
facts and source, and questions the documents do not answer), in one run:

- **Afinar**, ``afinar.rag.evaluate`` with the knowledge base's defaults (hybrid retrieval, the
  abstention checks, k = 4), in ``extractive`` mode (no chat model) and, with ``--generate``, in
  ``auto`` mode with the chat model (its draft checked against the chunks);
- **peer** (with ``--generate``): the course's plain LangChain ``RetrievalQA`` ("stuff" chain) over a
  ``langchain_chroma.Chroma`` store of the same chunks, the same embedder (multilingual-e5-small
  with its query/passage prefixes, wrapped as a LangChain ``Embeddings``), k = 4, and the same chat
  model through ``ChatOpenAI`` against ``afinar serve`` (greedy, same ``--max-tokens``). It abstains
  when its answer says it does not know.

Metrics for both, as ``afinar rag eval`` defines them: answer fact recall, abstention on
unanswerable questions and false abstentions, faithfulness (share of the answers' numbers and names
found in what they cite; the peer cites its retrieved documents) and citation precision (cited
chunks from the expected source), plus query p50 (seconds per question, generation included).

Run: ``python bench/bench_rag_answers.py [--generate] [--max-tokens 64] [CORPUS ...]`` (default
corpora: every ``examples/*/qa.jsonl`` that has a ``docs/`` folder). Needs multilingual-e5-small
and, with ``--generate``, smollm2-135m-instruct in the model cache (``afinar models pull``).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "server"))

UNKNOWN = re.compile(r"no lo s[eé]|no (tengo|dispongo de) (esa )?informaci[oó]n|i don'?t know|do not know|"
                     r"not (in|mentioned in) the (context|documents)", re.IGNORECASE)


def corpora(given: list[str]) -> list[Path]:
    if given:
        return [Path(g).resolve() for g in given]
    return sorted(p.parent for p in (REPO / "examples").glob("*/qa.jsonl") if (p.parent / "docs").is_dir())


def afinar_side(name: str, folder: Path, mode: str, model: str | None, max_tokens: int) -> dict:
    import importlib

    from afinar import rag

    answer_module = importlib.import_module("afinar.rag.answer")
    items = rag.read_qa(folder / "qa.jsonl")
    times: list[float] = []
    original = answer_module.answer

    def timed(*args, **kwargs):  # the time to a whole answer: retrieval, checks and generation
        started = time.perf_counter()
        ans = original(*args, **kwargs)
        _ = ans.text
        times.append(time.perf_counter() - started)
        return ans

    answer_module.answer = timed
    try:
        start = answer_module.engine_start(model, max_tokens) if model else None
        result = rag.evaluate(name, items, model=model, mode=mode,
                              generate=None if start is None else _as_generate(start))
    finally:
        answer_module.answer = original
    result["p50_s"] = statistics.median(times)
    return result


def retrieval(name: str, folder: Path) -> dict[str, tuple[float, float]]:
    """recall@4 and MRR of the answerable questions' expected source, hybrid and dense only."""
    from afinar import rag
    from afinar.rag.evaluate import source_matches

    out = {}
    items = [i for i in rag.read_qa(folder / "qa.jsonl") if i.answerable]
    for label, hybrid in (("hybrid", True), ("dense", False)):
        ranks = []
        for item in items:
            hits = rag.search(name, item.question, 4, hybrid=hybrid)
            ranks.append(next((r for r, h in enumerate(hits, 1) if source_matches(h.source, item.sources)), 0))
        out[label] = (sum(r > 0 for r in ranks) / len(ranks), sum(1 / r for r in ranks if r) / len(ranks))
    return out


def _as_generate(start):
    def generate(messages, on_text):
        run = start(messages)
        for piece in run:
            on_text(piece)
        return run.result

    return generate


class _E5:
    """multilingual-e5-small as a LangChain ``Embeddings`` (prefixes applied as e5 expects)."""

    def __init__(self, embedder):
        self.embedder = embedder

    def embed_documents(self, texts):
        return self.embedder.embed(list(texts), kind="passage").tolist()

    def embed_query(self, text):
        return self.embedder.embed([text], kind="query")[0].tolist()


def peer_side(name: str, folder: Path, url: str, model: str, max_tokens: int) -> dict:
    """LangChain RetrievalQA over Chroma with the same chunks, embedder and chat model."""
    from langchain_chroma import Chroma
    from langchain_classic.chains import RetrievalQA
    from langchain_core.documents import Document
    from langchain_openai import ChatOpenAI

    from afinar import rag
    from afinar.embeddings import get_embedder
    from afinar.rag.evaluate import normalize, source_matches
    from afinar.rag.grounding import facts_of, unsupported
    from afinar.rag.store import KnowledgeBase

    kb = KnowledgeBase.open(name)
    got = kb.collection().get(include=["documents", "metadatas"])
    docs = [Document(page_content=t, metadata={"source": m["source"]}) for t, m in zip(got["documents"], got["metadatas"])]
    store = Chroma.from_documents(docs, _E5(get_embedder(kb.config.embedding_model)),
                                  collection_name=f"peer-{name}", client_settings=None)
    chat = ChatOpenAI(base_url=url + "/v1", api_key="local", model=model, temperature=0, max_tokens=max_tokens,
                      max_retries=0)
    qa = RetrievalQA.from_chain_type(chat, retriever=store.as_retriever(search_kwargs={"k": 4}),
                                     return_source_documents=True)
    rows, times = [], []
    lang = "en" if "coworking" in name or "camping" in name else "es"
    for item in rag.read_qa(folder / "qa.jsonl"):
        started = time.perf_counter()
        out = qa.invoke({"query": item.question})
        times.append(time.perf_counter() - started)
        text, sources = out["result"], out["source_documents"]
        refused = bool(UNKNOWN.search(text))
        norm = normalize(text)
        found = [f for f in item.facts if normalize(f) in norm] if not refused else []
        rows.append({"answerable": item.answerable, "refused": refused, "found": len(found),
                     "expected": len(item.facts), "stated": 0 if refused else len(facts_of(text, lang)),
                     "unsupported": [] if refused else unsupported(text, [d.page_content for d in sources],
                                                                   item.question, lang),
                     "cited": [source_matches(d.metadata["source"], item.sources) for d in sources]})
    store.delete_collection()
    return _summary(rows, times)


def _summary(rows: list[dict], times: list[float]) -> dict:
    def share(values):
        return round(sum(values) / len(values), 4) if values else None

    answerable = [r for r in rows if r["answerable"]]
    answered = [r for r in rows if not r["refused"]]
    stated = sum(r["stated"] for r in answered)
    return {"fact_recall": round(sum(r["found"] for r in answerable) / max(1, sum(r["expected"] for r in answerable)), 4),
            "abstained_when_unanswerable": share([r["refused"] for r in rows if not r["answerable"]]),
            "refused_when_answerable": share([r["refused"] for r in answerable]),
            "faithfulness": round(1 - sum(len(r["unsupported"]) for r in answered) / stated, 4) if stated else 1.0,
            "citation_precision": share([c for r in answered if r["answerable"] for c in r["cited"]]),
            "p50_s": statistics.median(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*")
    parser.add_argument("--generate", action="store_true", help="Also auto mode and the LangChain peer (slow).")
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--no-peer", action="store_true", help="With --generate: skip the LangChain peer.")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="afinar-bench-rag-"))
    models = Path(os.environ.get("AFINAR_HOME", Path.home() / ".afinar")) / "models"
    (home / "models").symlink_to(models)
    os.environ["AFINAR_HOME"] = str(home)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from afinar import rag

    server = servers = None
    if args.generate and not args.no_peer:
        from serverkit import Servers

        (home / "server").mkdir()
        servers = Servers(home, home / "server")
        server = servers.start(env={"OMP_NUM_THREADS": str(os.cpu_count() or 1)})
    print(f"# {date.today()} · {platform.node()} · {os.cpu_count()} CPUs · k=4 · max_tokens {args.max_tokens}")
    header = "| corpus | system | fact recall | abstained (unanswerable) | false abstentions | faithfulness | citation precision | p50 s |"
    print(header)
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    searched = {}
    try:
        for folder in corpora(args.corpora):
            name = re.sub(r"[^A-Za-z0-9_-]", "-", folder.name)[:60]
            rag.index(name, [folder / "docs"])
            searched[folder.name] = retrieval(name, folder)
            runs = [("afinar extractive", afinar_side(name, folder, "extractive", None, args.max_tokens))]
            if args.generate:
                runs.append((f"afinar auto ({args.model})", afinar_side(name, folder, "auto", args.model, args.max_tokens)))
                if server is not None:
                    runs.append((f"LangChain RetrievalQA ({args.model})", peer_side(name, folder, server.url,
                                                                                    args.model, args.max_tokens)))
            for system, r in runs:
                print(f"| {folder.name} | {system} | {r['fact_recall']:.2f} | {r['abstained_when_unanswerable']:.2f} | "
                      f"{r['refused_when_answerable']:.2f} | {r['faithfulness']:.2f} | "
                      f"{r['citation_precision'] if r['citation_precision'] is not None else float('nan'):.2f} | "
                      f"{r['p50_s']:.3f} |", flush=True)
    finally:
        if servers is not None:
            servers.close()
    print("\n| corpus | recall@4 hybrid | recall@4 dense only | MRR hybrid | MRR dense only |\n|---|---:|---:|---:|---:|")
    for corpus, r in searched.items():
        print(f"| {corpus} | {r['hybrid'][0]:.2f} | {r['dense'][0]:.2f} | {r['hybrid'][1]:.2f} | {r['dense'][1]:.2f} |")


if __name__ == "__main__":
    main()

"""RAG: answers grounded in the user's documents, with citations, an "I don't know" path and metrics.

Python API (what ``afinar rag`` and the server call; nothing here imports torch until it embeds)::

    from afinar import rag

    report = rag.index("tienda", [Path("examples/techstore-catalog/docs")])  # create or update
    report.added, report.updated, report.unchanged, report.failed            # failed: [(source, AfinarError)]
    rag.list_bases()                                    # [{"name", "embedding_model", "files", "chunks", ...}]

    hits = rag.search("tienda", "¿Cuánta RAM tiene la MacBook Pro?", k=4)  # list[Hit], best first
    hits[0].source, hits[0].chunk, hits[0].text, hits[0].score, hits[0].where   # where: {"page"} / {"row"}

    ans = rag.answer("tienda", "¿Cuánta RAM tiene la MacBook Pro?", model="ft:...", k=4)
    ans.citations        # [Citation(n=1, source, chunk, score, text, where, cited)] — known before generating
    for piece in ans:    # streamed text (runs the chat model in a worker thread)
        print(piece, end="")
    ans.text, ans.known, ans.result   # full text; False on the no-answer path; prompt/completion tokens
    ans.as_dict()        # {"answer", "known", "citations": [{"n", "source", "chunk", "score", "cited"}]}
    ans.messages         # the grounded prompt (None on the no-answer path), for servers that generate themselves

    rag.answer(..., generate=my_generate)   # my_generate(messages, on_text) -> {"text", "prompt_tokens", ...}
    rag.remove("tienda", "iphone-15.md")    # one document; rag.remove("tienda") deletes the base
    rag.evaluate("tienda", rag.read_qa(Path("qa.jsonl")), k=4)   # recall@k, MRR, facts, citations

Knowledge bases live in ``AFINAR_HOME/rag/NAME`` (see ``afinar.rag.store``); vectors come from
``afinar.embeddings`` (default ``multilingual-e5-small``, e5 prefixes applied), stored in Chroma
with telemetry off. Errors a user can fix are ``AfinarError``.
"""

from __future__ import annotations

from afinar.rag.answer import Answer, Citation, answer, build_messages
from afinar.rag.config import IndexConfig
from afinar.rag.evaluate import evaluate, read_qa
from afinar.rag.indexer import IndexReport, index, remove
from afinar.rag.retrieval import Hit, search
from afinar.rag.store import KnowledgeBase, list_names

__all__ = ["Answer", "Citation", "Hit", "IndexConfig", "IndexReport", "KnowledgeBase", "answer", "build_messages",
           "evaluate", "index", "list_bases", "list_names", "read_qa", "remove", "search"]


def list_bases() -> list[dict]:
    """Every knowledge base with its settings, file and chunk counts."""
    out = []
    for name in list_names():
        kb = KnowledgeBase.open(name)
        out.append({"name": kb.name, "embedding_model": kb.config.embedding_model, "files": len(kb.files),
                    "chunks": kb.chunk_count(), "chunk_size": kb.config.chunk_size,
                    "chunk_overlap": kb.config.chunk_overlap, "min_score": kb.min_score, "created": kb.created})
    return out

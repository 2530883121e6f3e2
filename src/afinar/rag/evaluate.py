"""``afinar rag eval``: how well a knowledge base retrieves and answers, from a Q&A JSONL file.

One object per line::

    {"question": "¿Cuánta RAM tiene la MacBook Pro?", "source": "macbook-pro-m2.md", "facts": ["16GB"]}
    {"question": "¿Venden bicicletas?", "answerable": false}

``source``: the file (name, or the end of its path) that holds the answer; a list when several do.
``facts``: strings the answer must contain (compared without case, accents or extra spaces).
``answerable: false``: the right behaviour is "I don't know".

Metrics: recall@k (the expected source is among the k hits) and MRR (1 / rank of its first hit, 0
when not in the top k) over answerable questions; ``abstention`` (share of unanswerable questions
where no chunk reached the threshold, and share of answerable ones wrongly refused); with
generation, ``facts`` (share of answers holding every expected fact) and ``citations`` (share of
answers holding every expected fact AND citing, for each fact, a chunk that contains it).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError

ALLOWED = {"question", "source", "facts", "answerable", "id"}


@dataclass
class QA:
    question: str
    sources: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    answerable: bool = True
    line: int = 0


def read_qa(path: Path) -> list[QA]:
    """Parse the Q&A file; every problem (line and field) is reported at once."""
    if not path.is_file():
        raise AfinarError("common.file_not_found", path=str(path))
    items: list[QA] = []
    problems: list[str] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as err:
            problems.append(f"{path.name}:{n}: {err.msg}")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path.name}:{n}: not a JSON object")
            continue
        problems.extend(f"{path.name}:{n}: {p}" for p in _check(obj))
        if not problems:
            src = obj.get("source") or []
            items.append(QA(obj["question"], [src] if isinstance(src, str) else list(src),
                            list(obj.get("facts") or []), bool(obj.get("answerable", True)), n))
    if problems:
        raise AfinarError("rag.eval.bad_file", path=str(path), problems="\n  ".join(problems))
    if not items:
        raise AfinarError("rag.eval.empty", path=str(path))
    return items


def _check(obj: dict) -> list[str]:
    problems = [f"unknown field {key!r} (allowed: {', '.join(sorted(ALLOWED))})" for key in obj if key not in ALLOWED]
    if not isinstance(obj.get("question"), str) or not obj["question"].strip():
        problems.append("field 'question' must be a non-empty string")
    src = obj.get("source")
    if src is not None and not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src))):
        problems.append("field 'source' must be a string or a list of strings")
    facts = obj.get("facts")
    if facts is not None and not (isinstance(facts, list) and all(isinstance(f, str) for f in facts)):
        problems.append("field 'facts' must be a list of strings")
    if obj.get("answerable", True) and not src:
        problems.append("an answerable question needs 'source' (or set \"answerable\": false)")
    return problems


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def source_matches(source: str, expected: list[str]) -> bool:
    path = Path(source).as_posix()
    return any(path == e or path.endswith("/" + e.lstrip("/")) for e in expected)


def evaluate(name: str, qa: list[QA], *, k: int = 4, model: str | None = None, generate_answers: bool = True,
             min_score: float | None = None, embedder: Any = None, generate: Any = None,
             on_item: Any = None) -> dict[str, Any]:
    """Run every question; returns the metrics and one row per question."""
    from afinar.rag.answer import answer
    from afinar.rag.retrieval import search
    from afinar.rag.store import KnowledgeBase

    kb = KnowledgeBase.open(name)
    threshold = kb.min_score if min_score is None else min_score
    rows = []
    for item in qa:
        hits = search(name, item.question, k, embedder=embedder, kb=kb)
        rank = next((i for i, h in enumerate(hits, 1) if source_matches(h.source, item.sources)), 0)
        row: dict[str, Any] = {"line": item.line, "question": item.question, "answerable": item.answerable,
                               "rank": rank, "top_score": round(hits[0].score, 4) if hits else None,
                               "refused": not hits or hits[0].score < threshold}
        if generate_answers:
            ans = answer(name, item.question, model, k=k, min_score=threshold, embedder=embedder, generate=generate)
            row.update(_judge_answer(ans, item))
        rows.append(row)
        if on_item is not None:
            on_item(row)
    return {"name": name, "k": k, "min_score": threshold, "questions": len(rows), **summarize(rows), "rows": rows}


def _judge_answer(ans: Any, item: QA) -> dict[str, Any]:
    text = ans.text
    norm = normalize(text)
    facts_ok = all(normalize(f) in norm for f in item.facts)
    cited = [c for c in ans.citations if c.cited]
    cites_ok = facts_ok and bool(cited) and all(any(normalize(f) in normalize(c.text) for c in cited) for f in item.facts)
    return {"answer": text, "facts_ok": facts_ok if item.facts else None,
            "citations_ok": cites_ok if item.facts else None,
            "cited": [{"n": c.n, "source": c.source, "chunk": c.chunk} for c in cited]}


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    out: dict[str, Any] = {
        "recall_at_k": _share([r["rank"] > 0 for r in answerable]),
        "mrr": round(sum(1 / r["rank"] for r in answerable if r["rank"]) / len(answerable), 4) if answerable else None,
        "abstained_when_unanswerable": _share([r["refused"] for r in unanswerable]),
        "refused_when_answerable": _share([r["refused"] for r in answerable]),
    }
    with_facts = [r for r in answerable if r.get("facts_ok") is not None]
    if with_facts:
        out["facts"] = _share([r["facts_ok"] for r in with_facts])
        out["citations"] = _share([r["citations_ok"] for r in with_facts])
    return out

"""``afinar rag eval``: how well a knowledge base retrieves and answers, from a Q&A JSONL file.

One object per line::

    {"question": "¿Cuánta RAM tiene la MacBook Pro?", "source": "macbook-pro-m2.md", "facts": ["16GB"]}
    {"question": "¿Venden bicicletas?", "answerable": false}

``source``: the file (name, or the end of its path) that holds the answer; a list when several do.
``facts``: strings the answer must contain (compared without case, accents or extra spaces).
``answerable: false``: the right behaviour is "I don't know".

Metrics, for the whole pipeline:

- retrieval: ``recall_at_k`` (the expected source is among the k hits) and ``mrr`` (1 / rank of
  its first hit, 0 when not in the top k) over answerable questions;
- abstention: ``abstained_when_unanswerable`` (its recall: unanswerable questions answered "I
  don't know"), ``refused_when_answerable`` (false abstentions) and ``abstention_precision``
  (share of "I don't know" answers that were right);
- answers (unless retrieval only): ``fact_recall`` (share of expected facts the answers state, a
  refused answerable question stating none), ``facts`` (answers holding every expected fact),
  ``faithfulness`` (share of the facts the answers state — numbers, names — that a cited chunk or
  the question contains), ``citation_precision`` (share of cited chunks from an expected source),
  ``citations`` (answers holding every expected fact and citing a chunk that contains each).
"""

from __future__ import annotations

import json
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
    from afinar.rag.lexical import fold

    return " ".join(fold(text).split())


def source_matches(source: str, expected: list[str]) -> bool:
    path = Path(source).as_posix()
    return any(path == e or path.endswith("/" + e.lstrip("/")) for e in expected)


def evaluate(name: str, qa: list[QA], *, k: int = 4, model: str | None = None, generate_answers: bool = True,
             min_score: float | None = None, embedder: Any = None, generate: Any = None, mode: str = "auto",
             on_item: Any = None) -> dict[str, Any]:
    """Run every question; returns the metrics and one row per question."""
    from afinar.rag.answer import answer
    from afinar.rag.grounding import assess
    from afinar.rag.retrieval import retrieve
    from afinar.rag.store import KnowledgeBase

    kb = KnowledgeBase.open(name)
    floor = kb.min_score if min_score is None else min_score
    rows = []
    for item in qa:
        found = retrieve(kb, item.question, k, embedder=embedder)
        hits = found.hits
        rank = next((i for i, h in enumerate(hits, 1) if source_matches(h.source, item.sources)), 0)
        row: dict[str, Any] = {"line": item.line, "question": item.question, "answerable": item.answerable,
                               "rank": rank, "top_score": round(max(h.score for h in hits), 4) if hits else None}
        if generate_answers:  # the answer makes the abstention decision itself, on the same search
            ans = answer(name, item.question, model, k=k, min_score=floor, embedder=embedder, generate=generate,
                         mode=mode, found=found)
            evidence = ans.evidence
            row.update(_judge_answer(ans, item, found.corpus.lang))
        else:
            evidence = assess(item.question, found, floor)
        row.update(refused=not evidence.known, evidence=evidence.as_dict())
        rows.append(row)
        if on_item is not None:
            on_item(row)
    return {"name": name, "k": k, "min_score": floor, "mode": mode if generate_answers else None,
            "questions": len(rows), **summarize(rows), "rows": rows}


def _judge_answer(ans: Any, item: QA, lang: str) -> dict[str, Any]:
    from afinar.rag.grounding import facts_of, unsupported

    text = ans.text
    norm = normalize(text)
    found = [f for f in item.facts if normalize(f) in norm] if ans.known else []
    facts_ok = len(found) == len(item.facts)
    cited = [c for c in ans.citations if c.cited]
    cites_ok = facts_ok and bool(cited) and all(any(normalize(f) in normalize(c.text) for c in cited) for f in item.facts)
    stated = facts_of(text, lang) if ans.known else []
    wrong = unsupported(text, [c.text for c in cited] or [c.text for c in ans.citations], item.question,
                        lang) if ans.known else []
    return {"answer": text, "mode": ans.mode, "facts_ok": facts_ok if item.facts else None,
            "facts_found": len(found), "facts_expected": len(item.facts),
            "citations_ok": cites_ok if item.facts else None, "stated": len(stated), "unsupported": wrong,
            "cited": [{"n": c.n, "source": c.source, "chunk": c.chunk,
                       "expected": source_matches(c.source, item.sources)} for c in cited]}


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    refused = [r for r in rows if r["refused"]]
    out: dict[str, Any] = {
        "recall_at_k": _share([r["rank"] > 0 for r in answerable]),
        "mrr": round(sum(1 / r["rank"] for r in answerable if r["rank"]) / len(answerable), 4) if answerable else None,
        "abstained_when_unanswerable": _share([r["refused"] for r in unanswerable]),
        "refused_when_answerable": _share([r["refused"] for r in answerable]),
        "abstention_precision": _share([not r["answerable"] for r in refused]),
    }
    with_facts = [r for r in answerable if r.get("facts_ok") is not None]
    if with_facts:
        expected = sum(r["facts_expected"] for r in with_facts)
        out["fact_recall"] = round(sum(r["facts_found"] for r in with_facts) / expected, 4) if expected else None
        out["facts"] = _share([r["facts_ok"] for r in with_facts])
        out["citations"] = _share([r["citations_ok"] for r in with_facts])
    answered = [r for r in rows if "stated" in r and not r["refused"]]
    if answered:
        stated = sum(r["stated"] for r in answered)
        out["faithfulness"] = round(1 - sum(len(r["unsupported"]) for r in answered) / stated, 4) if stated else 1.0
        cited = [c for r in answered if r["answerable"] for c in r["cited"]]
        out["citation_precision"] = _share([c["expected"] for c in cited])
        out["extractive_share"] = _share([r["mode"] == "extractive" for r in answered])
    return out

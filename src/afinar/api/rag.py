"""RAG from Python: ``rag_index``, ``rag_ask``, ``rag_search``, ``rag_eval`` — ``afinar rag`` without a
shell, over ``afinar.rag`` (which the command, the API's ``rag:`` models and the studio call too).

Results are drawn as tables in a notebook; ``rag_ask`` returns the ``afinar.rag.Answer`` (its
``text``, ``known``, ``citations``, ``evidence``) wrapped so the answer and its sources show.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.api.chat import _spec
from afinar.api.show import Shown, table_html, table_text


def rag_index(name: str, docs: str | Path | list[str | Path], *,
              on_file: Callable[[str, str, int], None] | None = None, **settings: Any) -> IndexView:
    """Index ``docs`` (txt, md, pdf, csv, html files and folders) into the knowledge base ``name``
    (created on first use; unchanged files skipped, changed files replaced), as a job of the queue
    that this process follows (``afinar rag index``; task ``rag-index`` in ``afinar jobs list``).
    ``settings``: the fields of ``afinar rag index`` (``chunk_size``, ``embedding_model``…), for a
    new base. ``on_file(source, status, chunks)`` is called per file as the job reports it."""
    from afinar.rag.config import IndexConfig
    from afinar.rag.index_job import index_in_terminal
    from afinar.tasks.config import build

    paths = [Path(docs)] if isinstance(docs, (str, Path)) else [Path(d) for d in docs]
    config = build(IndexConfig, settings, name=lambda field: field) if settings else None
    from afinar.rag.store import KnowledgeBase

    report = index_in_terminal(name, paths, config, on_file=on_file)
    return IndexView(name, report, KnowledgeBase.open(name).chunk_count())


def rag_search(name: str, query: str, k: int = 4, *, mmr: bool = False) -> Hits:
    """The ``k`` chunks of ``name`` nearest to ``query``: score, source, chunk number and text."""
    from afinar import rag

    return Hits(rag.search(name, query, k, mmr=mmr))


def rag_ask(name: str, question: str, *, model: Any = None, mode: str = "auto", k: int = 4,
            min_score: float | None = None, mmr: bool = False, max_tokens: int = 256,
            temperature: float = 0.0) -> AnswerView:
    """Answer ``question`` from ``name``, citing chunks as [1], [2]… ``mode``: ``extractive``
    (quotes the best sentences; no chat model), ``generative`` (the chat model's answer) or
    ``auto`` (the model's answer when every fact it states is in the documents, else the
    extractive one). When the documents do not mention what is asked, the answer is "I don't
    know" (``known`` False) and no model runs."""
    from afinar import rag

    spec = _chat_model(model, mode)
    ans = rag.answer(name, question, spec, k=k, min_score=min_score, mmr=mmr, max_tokens=max_tokens,
                     temperature=temperature, mode=mode)
    return AnswerView(ans)


def rag_eval(name: str, qa: str | Path | list[Any], *, k: int = 4, model: Any = None, mode: str = "auto",
             retrieval_only: bool = False) -> EvalView:
    """Measure ``name`` on a Q&A file (JSONL: ``question``, ``expected`` facts, ``source``; or
    ``answerable: false``): retrieval, abstention, fact recall, faithfulness and citations."""
    from afinar import rag

    items = rag.read_qa(Path(qa)) if isinstance(qa, (str, Path)) else qa
    spec = _chat_model(model, mode if not retrieval_only else "extractive")
    return EvalView(rag.evaluate(name, items, k=k, model=spec, generate_answers=not retrieval_only, mode=mode))


def _chat_model(model: Any, mode: str) -> str | None:
    """The chat model an answer in ``mode`` needs, ready in the cache: a catalog base not pulled yet
    is pulled here, its license shown (as ``afinar chat``; the inference core never downloads)."""
    if mode == "extractive":
        return None if model is None else _spec(model)
    from afinar.rag.answer import default_chat_model
    from afinar.tasks.chat.predict import locate

    spec = default_chat_model() if model is None else _spec(model)
    locate(spec)
    return spec


@dataclass(repr=False)
class IndexView(Shown):
    """What an indexing did: ``added``, ``updated``, ``unchanged``, ``empty``, ``failed`` (each
    failure's ``source``, ``error`` and ``hint`` in Spanish and English), ``chunks``, ``seconds``;
    ``total``: the chunks in the knowledge base now."""

    name: str
    report: dict[str, Any]
    total: int  # chunks in the knowledge base now

    def __getattr__(self, key: str) -> Any:
        if key in ("name", "report", "total"):
            raise AttributeError(key)
        try:
            return self.report[key]
        except KeyError:
            raise AttributeError(key) from None

    def _cells(self) -> tuple[str, tuple[str, str], list[tuple[Any, ...]]]:
        r, lang = self.report, i18n.get_lang()
        caption = i18n.t("rag.index.summary", name=self.name, added=len(r["added"]), updated=len(r["updated"]),
                         unchanged=len(r["unchanged"]), failed=len(r["failed"]), chunks=r["chunks"],
                         seconds=r["seconds"], total=self.total)
        rows = [(i18n.t("rag.index.status." + status), source)
                for status in ("added", "updated", "unchanged", "empty") for source in r.get(status, [])]
        rows += [(i18n.t("rag.index.status.failed"), f"{f['source']}: {f['error'][lang]}") for f in r["failed"]]
        return caption, (i18n.t("api.run.field"), i18n.t("api.rag.source")), rows

    def _repr_html_(self) -> str:
        caption, header, rows = self._cells()
        return table_html(header, rows, caption=caption)

    def __str__(self) -> str:
        caption, header, rows = self._cells()
        return table_text(header, rows, caption=caption)


class Hits(Shown, list):
    """``afinar.rag.Hit``s, best first, drawn as a table."""

    def _cells(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        header = ("#", "score", i18n.t("api.rag.source"), "chunk", i18n.t("api.mistakes.text"))
        return header, [(n, h.score, h.source, h.chunk, h.text[:300]) for n, h in enumerate(self, 1)]

    def _repr_html_(self) -> str:
        return table_html(*self._cells())

    def __str__(self) -> str:
        return table_text(*self._cells())


@dataclass(repr=False)
class AnswerView(Shown):
    """An answer with its sources: ``text``, ``known``, ``mode``, ``citations``, ``evidence``,
    ``as_dict()`` (what ``afinar rag ask --json`` prints)."""

    result: Any

    def _sources(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        header = ("#", i18n.t("api.rag.source"), "chunk", "score", i18n.t("rag.ask.cited"))
        return header, [(c.n, c.source, c.chunk, c.score, "✓" if c.cited else "") for c in self.result.citations]

    def _repr_html_(self) -> str:
        text = html.escape(self.result.text).replace("\n", "<br>")
        return f"<p>{text}</p>" + (table_html(*self._sources()) if self.result.citations else "")

    def __str__(self) -> str:
        return self.result.text + ("\n\n" + table_text(*self._sources()) if self.result.citations else "")

    def __getattr__(self, name: str) -> Any:
        if name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)


class EvalView(Shown, dict):
    """``afinar rag eval``'s metrics (a dict: ``recall_at_k``, ``mrr``, ``fact_recall``,
    ``faithfulness``, ``citation_precision``, abstention…; ``rows``: one per question)."""

    def _cells(self) -> tuple[tuple[str, str], list[tuple[Any, ...]]]:
        rows = [(k, v) for k, v in self.items() if isinstance(v, (int, float)) or v is None]
        return (i18n.t("api.run.field"), i18n.t("api.run.value")), rows

    def _repr_html_(self) -> str:
        return table_html(*self._cells())

    def __str__(self) -> str:
        return table_text(*self._cells())

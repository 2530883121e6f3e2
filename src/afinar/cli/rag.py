"""`afinar rag`: knowledge bases over your documents — index, search, ask (with citations), eval, list, rm.

Nothing here imports torch; the embedding model and the chat model load inside the commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from afinar import i18n
from afinar.cli.config_options import build_config, config_options
from afinar.cli.options import lang_option
from afinar.rag.config import IndexConfig


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _shown(source: str) -> str:
    from afinar.rag.answer import display_source

    return display_source(source)


def _where(where: dict[str, int]) -> str:
    return "".join(f" {key} {value}" for key, value in where.items())


@click.group()
@lang_option
def rag() -> None:
    """Answer questions from your documents, with citations (RAG)."""


@rag.command()
@click.argument("name")
@click.argument("docs", nargs=-1, required=True, type=click.Path(path_type=Path))
@config_options(IndexConfig)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@lang_option
def index(name: str, docs: tuple[Path, ...], as_json: bool, **values: Any) -> int:
    """Index DOCS (txt, md, pdf, csv, html files and folders) into the knowledge base NAME.

    NAME is created on first use. Unchanged files are skipped; changed files replace their chunks.
    A file that cannot be read is reported and the others are still indexed (exit code 1).
    The indexing is a job of the queue (task rag-index, in `afinar jobs list`) that this terminal
    follows; a cancelled or interrupted one keeps the files it finished: run it again for the rest.
    """
    from afinar.rag.index_job import index_in_terminal
    from afinar.rag.store import KnowledgeBase

    given = {k: v for k, v in values.items() if v is not None}
    config = build_config(IndexConfig, values) if given else None

    def show(source: str, status: str, chunks: int) -> None:
        if not as_json:
            extra = i18n.t("rag.index.chunks", chunks=chunks) if status in ("added", "updated") else ""
            click.echo(f"  {i18n.t('rag.index.status.' + status):<12} {_shown(source)}  {extra}".rstrip())

    report = index_in_terminal(name, list(docs), config, on_file=show)
    lang = i18n.get_lang()
    if as_json:
        _print_json({**report, "failed": [{"source": f["source"], "error": f["error"][lang], "hint": f["hint"][lang]}
                                          for f in report["failed"]]})
    else:
        from afinar.cli import print_problem

        for failure in report["failed"]:
            print_problem(failure["error"][lang], failure["hint"][lang])
        click.echo(i18n.t("rag.index.summary", name=name, added=len(report["added"]), updated=len(report["updated"]),
                          unchanged=len(report["unchanged"]), failed=len(report["failed"]), chunks=report["chunks"],
                          seconds=report["seconds"], total=KnowledgeBase.open(name).chunk_count()))
    return 1 if report["failed"] else 0


@rag.command()
@click.argument("name")
@click.argument("query")
@click.option("--k", "k", default=4, show_default=True, type=int, help="How many chunks to return.")
@click.option("--mmr", is_flag=True, help="Diversify the hits (maximal marginal relevance).")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@lang_option
def search(name: str, query: str, k: int, mmr: bool, as_json: bool) -> int:
    """Show the chunks of NAME nearest to QUERY: score, source file, chunk number and text."""
    from afinar import rag as api

    hits = api.search(name, query, k, mmr=mmr)
    if as_json:
        _print_json([h.as_dict() for h in hits])
        return 0
    if not hits:
        click.echo(i18n.t("rag.search.none", name=name))
    for n, hit in enumerate(hits, 1):
        click.echo(f"[{n}] {hit.score:.3f}  {_shown(hit.source)} #{hit.chunk}{_where(hit.where)}")
        click.echo("    " + hit.text.replace("\n", "\n    "))
    return 0


@rag.command()
@click.argument("name")
@click.argument("question")
@click.option("-m", "--model", help="Chat model: catalog name, folder, run folder or ft: id. "
                                    "[default: the catalog's default chat base]")
@click.option("--k", "k", default=4, show_default=True, type=int, help="How many chunks to retrieve.")
@click.option("--mmr", is_flag=True, help="Diversify the retrieved chunks (maximal marginal relevance).")
@click.option("--min-score", type=click.FloatRange(-1, 1),
              help="Cosine floor under which a chunk is not used, for this question [default: the knowledge base's].")
@click.option("--mode", type=click.Choice(["auto", "extractive", "generative"]), default="auto", show_default=True,
              help="extractive: quote the best sentences (no chat model); generative: the model's streamed answer; "
                   "auto: the model's answer if every fact it states is in the documents, else the extractive one.")
@click.option("--max-tokens", default=256, show_default=True, type=click.IntRange(1, 8192))
@click.option("--temperature", default=0.0, show_default=True, type=click.FloatRange(0, 2),
              help="0 answers deterministically (greedy).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"answer", "known", "mode", "citations": [...], "evidence": {...}}.')
@lang_option
def ask(name: str, question: str, model: str | None, k: int, mmr: bool, min_score: float | None, mode: str,
        max_tokens: int, temperature: float, as_json: bool) -> int:
    """Answer QUESTION from NAME, citing chunks as [1], [2]...

    When the documents found do not mention what the question asks about, the answer is
    "I don't know" and no model runs.
    """
    from afinar import rag as api

    ans = api.answer(name, question, model, k=k, min_score=min_score, mmr=mmr, max_tokens=max_tokens,
                     temperature=temperature, mode=mode)
    if as_json:
        _print_json(ans.as_dict())
        return 0
    for piece in ans:
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")
    if not ans.known and ans.evidence is not None and ans.evidence.names_missing:
        click.echo(i18n.t("rag.ask.names_missing", names=", ".join(ans.evidence.names_missing)))
    if ans.citations:
        click.echo("\n" + i18n.t("rag.ask.sources"))
    for c in ans.citations:
        mark = f"  ({i18n.t('rag.ask.cited')})" if c.cited else ""
        click.echo(f"[{c.n}] {_shown(c.source)} #{c.chunk}{_where(c.where)}  {c.score:.3f}{mark}")
    return 0


@rag.command(name="rm")
@click.argument("name")
@click.argument("doc", required=False)
@lang_option
def rm(name: str, doc: str | None) -> int:
    """Delete the document DOC (path or file name) from NAME, or the whole knowledge base."""
    from afinar import rag as api

    removed = api.remove(name, doc)
    if doc is None:
        click.echo(i18n.t("rag.rm.kb", name=name))
    else:
        click.echo(i18n.t("rag.rm.doc", name=name, doc=_shown(removed[0])))
    return 0


@rag.command(name="eval")
@click.argument("name")
@click.argument("qa", type=click.Path(path_type=Path))
@click.option("--k", "k", default=4, show_default=True, type=int, help="Hits per question (recall@k, MRR).")
@click.option("-m", "--model", help="Chat model for the answers [default: the catalog's default chat base].")
@click.option("--mode", type=click.Choice(["auto", "extractive", "generative"]), default="auto", show_default=True,
              help="How answers are made (as in `afinar rag ask`); extractive needs no chat model.")
@click.option("--retrieval-only", is_flag=True, help="Measure retrieval and abstention only; no answers.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics and every question's row as JSON.")
@lang_option
def eval_(name: str, qa: Path, k: int, model: str | None, mode: str, retrieval_only: bool, as_json: bool) -> int:
    """Measure NAME on a Q&A JSONL file: retrieval, abstention, fact recall, faithfulness, citations."""
    from afinar import rag as api

    items = api.read_qa(qa)

    def show(row: dict) -> None:
        if not as_json:
            click.echo(i18n.t("rag.eval.row", rank=row["rank"] or "-", score=row["top_score"],
                              question=row["question"]))

    result = api.evaluate(name, items, k=k, model=model, generate_answers=not retrieval_only, mode=mode,
                          on_item=show)
    if as_json:
        _print_json(result)
        return 0
    fmt = _fmt
    click.echo(i18n.t("rag.eval.summary", questions=result["questions"], k=k, recall=fmt(result["recall_at_k"]),
                      mrr=fmt(result["mrr"]), abstained=fmt(result["abstained_when_unanswerable"]),
                      refused=fmt(result["refused_when_answerable"]), precision=fmt(result["abstention_precision"])))
    if "fact_recall" in result:
        click.echo(i18n.t("rag.eval.answers", recall=fmt(result["fact_recall"]), facts=fmt(result["facts"]),
                          faithful=fmt(result.get("faithfulness")), precision=fmt(result.get("citation_precision")),
                          citations=fmt(result["citations"])))
    return 0


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@rag.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of lines.")
@lang_option
def list_(as_json: bool) -> int:
    """Show the knowledge bases: files, chunks, embedding model and threshold."""
    from afinar import rag as api

    bases = api.list_bases()
    if as_json:
        _print_json(bases)
        return 0
    if not bases:
        click.echo(i18n.t("rag.list.empty"))
    for b in bases:
        click.echo(i18n.t("rag.list.row", name=b["name"], files=b["files"], chunks=b["chunks"],
                          model=b["embedding_model"], min_score=b["min_score"]))
    return 0

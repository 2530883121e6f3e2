"""The Conocimiento page (RAG): create or update a knowledge base from uploaded documents, then ask
it questions and read the answer with its numbered citations (``afinar.rag``).

Indexing is a job of the one queue (``afinar.rag.index_job``): the server's runner runs it, and the
page shows its progress per file while it runs.

Uploaded documents are kept in ``AFINAR_HOME/studio/documents/<base>/`` under their name reduced to
safe characters (letters, digits, ``._-`` and spaces), so uploading a changed file again updates it
in the base instead of adding a copy. Generation goes through the same chat backend as the
Playground (the server's loaded models when there is a server)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.errors import AfinarError
from afinar.jobs.store import FINAL
from afinar.rag.index_job import TASK
from afinar.studio.datasets import error_text
from afinar.studio.playground_tab import MAX_TOKENS, model_choices
from afinar.studio.texts import Texts, tr
from afinar.studio.workspace import display_name, safe_stem

DOC_TYPES = [".md", ".txt", ".pdf", ".csv", ".html", ".htm"]
POLL_S = 0.5  # how often the page reads the indexing job's progress


def documents_dir(name: str) -> Path:
    from afinar.paths import afinar_home
    from afinar.rag.store import check_name

    return afinar_home() / "studio" / "documents" / check_name(name)


def safe_file_name(name: str) -> str:
    """The uploaded name reduced to safe characters; its extension must be a known document type."""
    suffix = Path(display_name(name)).suffix.lower()
    return safe_stem(name, "documento") + (suffix if suffix in DOC_TYPES else ".txt")


def bases() -> list[str]:
    from afinar.rag import list_names

    return list_names()


def index(name: str, files: list[str] | None, embedding: str, lang: str, backend: Any = None):
    """Keep the uploads and index them as a job of the queue (task rag-index, listed by ``afinar jobs``
    and ``/v1/afinar/jobs``); yields its progress, then what it did. The page may be left meanwhile:
    the job goes on."""
    import gradio as gr

    from afinar.rag import IndexConfig, index_job

    name = (name or "").strip()
    if not name or not files:
        yield tr("studio.kb.need_docs", lang), gr.update()
        return
    try:
        folder = documents_dir(name)
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copyfile(f, folder / safe_file_name(f))
        config = IndexConfig(embedding_model=embedding) if embedding and name not in bases() else None
        run = index_job.prepare(name, [folder], config)
        store, job_id = start_index_job(run, backend)
    except AfinarError as err:
        yield error_text(err, lang), gr.update()
        return
    while (job := store.get_job(job_id))["status"] not in FINAL:
        total = run.read_meta().get("total_files") or 0
        yield i18n.tn("studio.kb.indexing", total, lang, name=name, job_id=job_id,
                      done=i18n.number(len(run.metrics()), lang)), gr.update()
        time.sleep(POLL_S)
    report = index_job.read_report(run)
    if job["status"] != "succeeded" or report is None:
        yield error_text(index_job.failed_reason(job, run), lang), gr.update(choices=bases())
        return
    counts = {part: i18n.tn(f"studio.n.{key}", n, lang) for part, key, n in (
        ("added", "docs_new", len(report["added"])), ("updated", "docs_updated", len(report["updated"])),
        ("unchanged", "docs_unchanged", len(report["unchanged"])), ("chunks", "passages", report["chunks"]))}
    lines = [tr("studio.kb.indexed", lang, name=name, **counts)]
    lines += [f"- ✗ {Path(f['source']).name}: {f['error'][lang]}" for f in report["failed"]]
    yield "\n\n".join(lines), gr.update(choices=bases(), value=name)


def start_index_job(run: Any, backend: Any) -> tuple[Any, str]:
    """(the jobs database, the job's id): queued on the server's runner, or — the studio without a
    server — followed by a thread of this process, as ``afinar rag index`` follows it in a terminal."""
    if hasattr(backend, "submit_run"):
        return backend.store, backend.submit_run(TASK, run.path)["id"]
    from afinar.jobs.foreground import run_attached
    from afinar.jobs.runs import store
    from afinar.tasks import job_tasks

    db = store()
    follower = threading.Thread(target=run_attached, args=(job_tasks()[TASK], run), kwargs={"store": db},
                                name="afinar-rag-index", daemon=True)
    follower.start()
    while (job := db.job_of_run(run.path)) is None:
        if not follower.is_alive():
            raise RuntimeError(f"the indexing job of {run.path} could not be recorded (see the log)")
        time.sleep(0.05)
    return db, job["id"]


def citations_markdown(citations: list[Any], lang: str) -> str:
    if not citations:
        return ""
    head = " | ".join(tr(f"studio.kb.{k}", lang) for k in ("source", "score", "cited", "excerpt"))
    lines = [f"| # | {head} |", "|---:|---|---:|:---:|---|"]
    for c in citations:
        where = "".join(f" ({tr(f'studio.kb.where.{k}', lang) if i18n.has(f'studio.kb.where.{k}') else k} {v})"
                        for k, v in c.where.items())
        excerpt = " ".join(c.text.split())[:160].replace("|", "\\|")
        lines.append(f"| [{c.n}] | {Path(c.source).name}{where} | {i18n.number(c.score, lang, 2, exact=True)} | {'✓' if c.cited else ''} | "
                     f"{excerpt}… |")
    return "\n".join(lines)


def how_answered(answer: Any, lang: str) -> str:
    """One line under the sources: how the answer was made, or why it was not."""
    ev = answer.evidence
    if not answer.known:
        if ev is not None and ev.names_missing:
            return tr("studio.kb.why.names", lang, names=", ".join(ev.names_missing))
        return tr("studio.kb.why.unknown", lang)
    return tr(f"studio.kb.how.{answer.mode}", lang)


def ask(backend: Any, name: str, model: str, question: str, lang: str, mode: str = "auto"):
    from afinar import rag

    mode = mode or "auto"
    if not name or not (model or mode == "extractive") or not (question or "").strip():
        yield tr("studio.kb.need_question", lang), ""
        return

    def start(messages: list[dict]) -> Any:
        return backend.start_chat(model, messages, max_tokens=MAX_TOKENS, temperature=0.0)

    try:
        answer = rag.answer(name, question.strip(), model, start=start, lang=lang, mode=mode)
        sources = citations_markdown(answer.citations, lang)
        text = ""
        for piece in answer:
            text += piece
            yield _lines(text), sources
    except AfinarError as err:
        yield error_text(err, lang), ""
        return
    yield _lines(answer.text), citations_markdown(answer.citations, lang) + "\n\n_" + how_answered(answer, lang) + "_"


def _lines(text: str) -> str:
    """Markdown keeps the answer's line breaks (an extractive answer puts each quote on its own line)."""
    return text.replace("\n", "  \n")


METRICS = ("recall_at_k", "abstained_when_unanswerable", "refused_when_answerable", "abstention_precision",
           "fact_recall", "faithfulness", "citation_precision")


def evaluate(backend: Any, name: str, model: str, qa_file: str | None, lang: str, mode: str = "auto") -> str:
    """``afinar rag eval`` on an uploaded Q&A file: the same metrics, as a table."""
    from afinar import rag

    mode = mode or "auto"
    if not name or not qa_file or not (model or mode == "extractive"):
        return tr("studio.kb.eval.need", lang)

    def generate(messages: list[dict], on_text: Any) -> dict:
        run = backend.start_chat(model, messages, max_tokens=MAX_TOKENS, temperature=0.0)
        for piece in run:
            on_text(piece)
        return run.result

    try:
        result = rag.evaluate(name, rag.read_qa(Path(qa_file)), model=model, mode=mode, generate=generate)
    except AfinarError as err:
        return error_text(err, lang)
    lines = [f"| {tr('studio.kb.eval.metric', lang)} | {tr('studio.kb.eval.value', lang)} |", "|---|---:|"]
    lines += [f"| {tr('studio.kb.eval.' + key, lang)} | {'-' if result.get(key) is None else i18n.number(result[key], lang, 2, exact=True)} |"
              for key in METRICS]
    done = i18n.tn("studio.kb.eval.done", result["questions"], lang, mode=tr(f"studio.kb.mode.{mode}", lang))
    return done + "\n\n" + "\n".join(lines)


def build(T: Texts, lang_box: Any, backend: Any) -> list[tuple[Any, ...]]:
    import gradio as gr

    from afinar.rag.config import DEFAULT_MODEL

    T.make(gr.Markdown, "studio.kb.intro", attr="value")
    with gr.Row():
        name = T.make(gr.Dropdown, "studio.kb.name", choices=bases(), allow_custom_value=True,
                      info="studio.kb.name_info", elem_id="kb-name", scale=2)
        embedding = T.make(gr.Dropdown, "studio.kb.embedding", choices=[DEFAULT_MODEL, "all-minilm-l6-v2"],
                           value=DEFAULT_MODEL, allow_custom_value=True, info="studio.kb.embedding_info",
                           elem_id="kb-embedding", scale=2)
    docs = T.make(gr.File, "studio.kb.docs", file_count="multiple", file_types=DOC_TYPES, type="filepath",
                  elem_id="kb-docs")
    index_btn = T.make(gr.Button, "studio.kb.index", attr="value", variant="primary", elem_id="kb-index")
    indexed = gr.Markdown(elem_id="kb-indexed")
    with T.make(gr.Accordion, "studio.kb.ask_title", open=True):
        with gr.Row():
            model = T.make(gr.Dropdown, "studio.play.model", choices=[], allow_custom_value=True, elem_id="kb-model",
                           scale=2)
            refresh = T.make(gr.Button, "studio.refresh", attr="value", elem_id="kb-refresh", scale=1)
        mode = T.make(gr.Radio, "studio.kb.mode", tchoices=[("studio.kb.mode.auto", "auto"),
                                                               ("studio.kb.mode.extractive", "extractive"),
                                                               ("studio.kb.mode.generative", "generative")],
                      value="auto", info="studio.kb.mode_info", elem_id="kb-mode")
        question = T.make(gr.Textbox, "studio.kb.question", placeholder="studio.kb.question_hint", elem_id="kb-question")
        ask_btn = T.make(gr.Button, "studio.kb.ask", attr="value", variant="primary", elem_id="kb-ask")
        answer = T.make(gr.Markdown, "studio.kb.answer", container=True, show_label=True, min_height=60,
                        elem_id="kb-answer")
        sources = gr.Markdown(elem_id="kb-sources")
    with T.make(gr.Accordion, "studio.kb.eval_title", open=False):
        T.make(gr.Markdown, "studio.kb.eval.intro", attr="value")
        qa_file = T.make(gr.File, "studio.kb.eval.file", file_types=[".jsonl"], type="filepath", elem_id="kb-qa")
        eval_btn = T.make(gr.Button, "studio.kb.eval.run", attr="value", elem_id="kb-eval")
        report = gr.Markdown(elem_id="kb-eval-report")

    def index_here(kb: str, files: list[str] | None, model_name: str, lang: str):
        yield from index(kb, files, model_name, lang, backend)

    index_btn.click(index_here, [name, docs, embedding, lang_box], [indexed, name])
    def ask_here(kb: str, model_id: str, text: str, lang: str, how: str):
        yield from ask(backend, kb, model_id, text, lang, how)

    ask_btn.click(ask_here, [name, model, question, lang_box, mode], [answer, sources])
    question.submit(ask_here, [name, model, question, lang_box, mode], [answer, sources])
    eval_btn.click(lambda kb, model_id, path, lang, how: evaluate(backend, kb, model_id, path, lang, how),
                   [name, model, qa_file, lang_box, mode], [report])

    def reload(current_name: str | None = None, current_model: str | None = None) -> tuple[Any, Any]:
        """Fresh choices; a value is only proposed where none was chosen (a name being typed stays)."""
        names, models = bases(), model_choices(backend)
        propose = bool(names) and not current_name
        return (gr.update(choices=names, value=names[0]) if propose else gr.update(choices=names),
                gr.update(choices=models, value=current_model or (models[0] if models else None)))

    refresh.click(reload, [name, model], [name, model])
    return [(reload, [name, model], [name, model])]

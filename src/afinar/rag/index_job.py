"""Indexing as a job of the one job queue (task ``rag-index``), followed or queued like a training.

``prepare`` checks the request where it is made (the name, the paths, settings against the stored
ones: the errors a user can fix come at once) and writes an indexing run folder under
``AFINAR_HOME/runs``::

    rag-index-NAME-YYYYmmdd-HHMMSS/
      config.yaml    knowledge_base, paths (absolute), the base's settings (embedding model, chunks)
      meta.json      task rag-index, status, knowledge_base, base_model (the embedding model), total_files
      metrics.jsonl  one row per file: {"step", "total", "source", "status", "chunks"}
      events.jsonl   one line per file ("File 3/7 added: monitores.txt (4 chunks)"), copied into the job's events
      report.json    the IndexReport, each failure's message and hint in Spanish and English
      train.log      what the process printed

The job runner starts ``python -m afinar.rag.index_job RUN`` (``main``), which indexes with
``afinar.rag.index`` and, when it succeeds, records ``model_id: rag:NAME`` (the knowledge base as
the API serves it). A cancelled or killed indexing keeps every file it finished (``kb.json`` is
saved after each), and running it again skips them: a re-run is the resume.

``index_in_terminal`` is ``afinar rag index``: the job this process follows (``afinar.jobs.foreground``).
The in-process ``afinar.rag.index`` stays what the Python API calls. No torch here until ``main`` embeds.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError
from afinar.rag.config import IndexConfig

TASK = "rag-index"  # afinar.tasks.job_tasks() holds its entry
MODULE = "afinar.rag.index_job"
REPORT = "report.json"
SHOWS_CHUNKS = ("added", "updated")


def new_run_dir(name: str) -> Path:
    from afinar.engine.modelid import runs_dir

    stem = f"{TASK}-{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    path, n = runs_dir() / stem, 1
    while path.exists():  # two indexings of one base in the same second
        n += 1
        path = runs_dir() / f"{stem}-{n}"
    return path


def prepare(name: str, paths: list[Path], config: IndexConfig | None = None) -> RunDir:
    """Check the request and write the run folder of an indexing job (status ``queued``); the
    knowledge base is created now when it is new, with ``config``."""
    from afinar.rag import loaders
    from afinar.rag.indexer import open_or_create
    from afinar.rag.store import check_name

    check_name(name)
    files = loaders.collect_files(paths)  # a missing path or an unsupported file named: said now
    kb = open_or_create(name, config)
    run = RunDir(new_run_dir(kb.name))
    run.path.mkdir(parents=True)
    run.write_config({"knowledge_base": kb.name, "paths": [str(Path(p).expanduser().resolve()) for p in paths],
                      **kb.config.model_dump(mode="json")})
    run.update_meta(task=TASK, status="queued", knowledge_base=kb.name, base_model=kb.config.embedding_model,
                    data_name=", ".join(Path(p).name for p in paths), total_files=len(files))
    return run


def index_run(run: RunDir, resume: bool = False) -> dict[str, Any]:
    """The child's work: index what the run's config names, one metrics row and one event per file.
    (``resume`` changes nothing: indexing again skips what is indexed.)"""
    from afinar.rag import loaders
    from afinar.rag.indexer import index

    cfg = run.read_config()
    name, paths = cfg["knowledge_base"], [Path(p) for p in cfg["paths"]]
    settings = IndexConfig(**{k: cfg[k] for k in IndexConfig.model_fields if k in cfg})
    total = len(loaders.collect_files(paths))
    run.update_meta(total_files=total)
    again = (run.path / "metrics.jsonl").is_file()  # restarted by the runner: this attempt's rows only
    (run.path / "metrics.jsonl").unlink(missing_ok=True)
    run.log_event(f"Indexing {total} file(s) into the knowledge base {name}"
                  + (" again: files indexed before are skipped" if again else ""))
    done = 0

    def on_file(source: str, status: str, chunks: int) -> None:
        nonlocal done
        done += 1
        run.log_metrics(step=done, total=total, source=source, status=status, chunks=chunks)
        extra = f" ({chunks} chunks)" if status in SHOWS_CHUNKS else ""
        run.log_event(f"File {done}/{total} {status}: {Path(source).name}{extra}",
                      level="warning" if status == "failed" else "info", step=done, total=total)

    report = index(name, paths, settings, on_file=on_file)
    for source, err in report.failed:
        run.log_event(f"{Path(source).name}: {err.message('en')}", level="warning")
    out = {**report.as_dict(), "failed": [_failure(source, err) for source, err in report.failed]}
    (run.path / REPORT).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    run.log_event(f"Indexed {name}: {len(report.added)} added, {len(report.updated)} updated, "
                  f"{len(report.unchanged)} unchanged, {len(report.failed)} failed, {report.chunks} chunks embedded")
    return out


def _failure(source: str, err: AfinarError) -> dict[str, Any]:
    from afinar.i18n import LANGS

    return {"source": source, "error": {lang: err.message(lang) for lang in LANGS},
            "hint": {lang: err.hint(lang) for lang in LANGS}}


def read_report(run: RunDir) -> dict[str, Any] | None:
    """The finished indexing's report (None before it ends)."""
    path = run.path / REPORT
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def failed_reason(job: dict[str, Any], run: RunDir) -> AfinarError:
    """Why a job that did not succeed ended (its error, or its status), for the terminal and the studio."""
    reason = (job.get("error") or {}).get("message") or job["status"]
    return AfinarError("rag.index.job_failed", job_id=job["id"], reason=reason, log=str(run.path / "train.log"))


def index_in_terminal(name: str, paths: list[Path], config: IndexConfig | None = None,
                      on_file: Callable[[str, str, int], None] | None = None) -> dict[str, Any]:
    """``afinar rag index``: prepare the job, follow it to its end (``on_file`` per file, as
    ``afinar.rag.index`` calls it) and return its report; raises when it did not succeed."""
    from afinar.jobs.foreground import run_attached
    from afinar.tasks import job_tasks

    run = prepare(name, paths, config)

    def forward(row: dict[str, Any]) -> None:
        if on_file is not None and "source" in row:
            on_file(row["source"], row["status"], int(row.get("chunks") or 0))

    job = run_attached(job_tasks()[TASK], run, forward)
    report = read_report(run)
    if job["status"] != "succeeded" or report is None:
        raise failed_reason(job, run)
    return report


def main(argv: list[str] | None = None) -> int:
    from afinar.engine.subprocess_run import child_main
    from afinar.jobs.child import attach

    return child_main(MODULE, argv, index_run, lambda report: {
        "model_id": f"rag:{report['name']}", "chunks": report["chunks"], "files": {
            k: len(report[k]) for k in ("added", "updated", "unchanged", "empty", "failed")}}, attach=attach)


if __name__ == "__main__":
    sys.exit(main())

"""Classifier runs (text and images) started from the studio: jobs of the one job queue.

``start_text`` / ``start_images`` do what ``afinar train text-classification`` / ``image-classification``
do before training (check the data, resolve the base, write the run folder) and then hand the run
to the job queue (``service.submit_run``), which starts, follows, pauses, resumes and recovers it
like every other job. The page polls ``progress(run, service)``: the job's status from the queue's
database, the epochs from the run folder's ``metrics.jsonl`` and ``report.json`` — a reloaded page,
or one opened after the server restarted, sees the same run. No torch here.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar.errors import AfinarError


class DataProblems(AfinarError):
    """The data has errors: the reports are kept so the page can list every finding."""

    def __init__(self, reports: list[Any]):
        errors = sum(len(r.errors) for r in reports)
        super().__init__("textcls.data.invalid", errors=errors, files=", ".join(Path(r.file).name for r in reports
                                                                                if r.errors))
        self.reports = reports


def start_text(values: dict[str, Any], service: Any) -> Path:
    """Check and prepare a text-classification run from config values and queue it; returns its folder at once."""
    from afinar.tasks.text_classification import launch
    from afinar.tasks.text_classification.config import build_config

    cfg = build_config(values)
    reports = launch.check_data(cfg)
    if any(r.errors for r in reports):
        raise DataProblems(reports)
    base_path = launch.resolve_base(cfg.base)
    prepared = launch.prepare(cfg, base_path)
    service.submit_run(launch.TASK, prepared.run.path)
    return prepared.run.path


def start_images(values: dict[str, Any], service: Any) -> Path:
    """The same for image classification (``values["data"]``: a folder of class folders)."""
    from afinar.tasks.image_classification import launch
    from afinar.tasks.image_classification.config import TASK, build_config

    cfg = build_config(values)
    reports = []
    try:
        prepared = launch.prepare_run(cfg, on_findings=reports.append)
    except AfinarError:
        if reports and reports[0].errors:
            raise DataProblems(reports) from None
        raise
    service.submit_run(TASK, prepared.run.path)
    return prepared.run.path


@dataclass
class Progress:
    status: str  # the job's: queued, running, paused, succeeded, failed, cancelled
    step: int = 0
    total_steps: int = 0
    epochs: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] | None = None
    error: str | None = None
    job_id: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")


def progress(run: Path, service: Any = None) -> Progress:
    """The run's job status (from the queue; a run trained outside it, by ``afinar train`` before
    runs were jobs, from its ``meta.json``) and its epochs so far."""
    from afinar.engine.rundir import RunDir

    rundir = RunDir(run)
    job = service.store.job_of_run(run) if service is not None else None
    if job is not None:
        error = (job.get("error") or {}).get("message")
        out = Progress(job["status"], error=error, job_id=job["id"])
    else:
        meta = rundir.read_meta()
        out = Progress(meta.get("status", "queued"), error=meta.get("error"))
    for record in rundir.metrics() if (run / "metrics.jsonl").is_file() else []:
        kind = record.get("kind")
        if kind == "start":
            out.total_steps = record.get("total_steps", 0)
        elif kind == "step":
            out.step = record.get("step", out.step)
        elif kind == "epoch":
            out.epochs.append(record)
    if out.status == "succeeded" and (run / "report.json").is_file():
        out.report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    return out


def runs(task: str) -> list[tuple[Path, dict[str, Any]]]:
    """Every run of ``task`` under AFINAR_HOME/runs, newest first: the jobs database says which
    exist (one query, no folder scan); each run's ``meta.json`` gives what the page shows."""
    from afinar.engine.modelid import runs_dir
    from afinar.jobs.runs import store

    root = runs_dir().resolve()
    jobs, _ = store().list_jobs(None, 10**6, task=task)
    found = []
    for job in jobs:
        path = Path(job.get("run_dir") or "")
        if path.parent != root:
            continue
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue  # prepared, not yet written
        found.append((path, meta))
    return found


def known_run(value: str | None) -> Path:
    """The run folder a page refers to, which must be a classifier run under AFINAR_HOME/runs (a
    value sent to the page's API cannot point anywhere else)."""
    from afinar.engine.modelid import runs_dir

    path = Path(value or "").resolve()
    root = runs_dir().resolve()
    meta = path / "meta.json"
    if path.parent != root or not meta.is_file() or json.loads(meta.read_text(encoding="utf-8")).get("task") \
            not in PREDICTORS:
        raise AfinarError("studio.cls.not_a_classifier", path=path.name or str(value))
    return path


_predictors: dict[str, Any] = {}
_predict_lock = threading.Lock()


def classify(run: Path, item: str) -> dict[str, float]:
    """Confidences per label for a text or a picture's path, with the run's model (loaded once, then
    kept); the run's task (``meta.json``) picks the predictor."""
    from importlib import import_module

    with _predict_lock:
        if str(run) not in _predictors:
            task = json.loads((run / "meta.json").read_text(encoding="utf-8")).get("task", "")
            if task not in PREDICTORS:
                raise AfinarError("studio.cls.not_a_classifier", path=run.name)
            _predictors.clear()  # one model at a time: the web process stays small
            _predictors[str(run)] = import_module(PREDICTORS[task]).load_predictor(run)
        return _predictors[str(run)].predict([item])[0]


PREDICTORS = {"text-classification": "afinar.tasks.text_classification.predict",
              "image-classification": "afinar.tasks.image_classification.predict"}


def export_zip(run: Path, workdir: Path) -> Path:
    """The Hugging Face Space folder of ``run`` (``afinar export space``; the run's task picks the
    exporter), zipped for download."""
    import shutil

    from afinar.tasks import load_run

    _meta, module = load_run(run, "export", "export", "export_space")
    folder = workdir / "space"
    module.export_space(run, folder)
    return Path(shutil.make_archive(str(workdir / f"space-{run.name}"), "zip", folder))

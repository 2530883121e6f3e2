"""The registry of runs: which run folder holds a fine-tuned model, and which chat models are
finished — answered by the jobs database, where every run is a job.

A model id ``ft:BASE:afinar:SUFFIX:HEX`` names its job, ``ftjob-HEX``: one indexed lookup, which
also finds the checkpoints of a job still training. Run folders trained before runs were jobs (or
copied in from another machine) are recorded as finished jobs once, when the database is opened
(``adopt_run_folders``), and ``adopt_run`` records one folder by hand. No folder is scanned per
lookup. No torch here.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from afinar.engine.modelid import runs_dir, split_checkpoint
from afinar.jobs.store import Store, db_path

_stores: dict[Path, Store] = {}
_lock = threading.Lock()


def store() -> Store:
    """The database of this ``AFINAR_HOME``, opened once per process."""
    path = db_path()
    with _lock:
        if path not in _stores:
            for old in _stores.values():  # another AFINAR_HOME (tests): one database open at a time
                old.close()
            _stores.clear()
            _stores[path] = opened = Store(path)
            adopt_once(opened)
        return _stores[path]


def adopt_once(db: Store) -> None:
    """The run folders from before runs were jobs, recorded once per database (whoever opens it first)."""
    if db.claim_step("0004_runs_before_jobs"):
        adopt_run_folders(db)


def job_id_of(model: str) -> str | None:
    """``ft:BASE:afinar:SUFFIX:HEX[:ckpt-step-N]`` → ``ftjob-HEX`` (None for any other name)."""
    if not model.startswith("ft:"):
        return None
    base, _ = split_checkpoint(model)
    return "ftjob-" + base.rsplit(":", 1)[-1]


def find_run(model: str) -> Path | None:
    """The run folder of a fine-tuned chat model (a checkpoint id names its run's model)."""
    job_id = job_id_of(model)
    job = store().get_job(job_id) if job_id else None
    if job is None or not job["run_dir"]:
        return None
    path = Path(job["run_dir"])
    meta = _meta(path)
    return path if meta.get("model_id") == split_checkpoint(model)[0] else None


def finished_chat_runs() -> list[tuple[str, Path, dict[str, Any]]]:
    """(model id, run folder, meta) of every succeeded chat job whose weights are still there,
    newest first."""
    out = []
    for job in store().jobs_with_status("succeeded"):
        if job["task"] != "chat" or not job["run_dir"]:
            continue
        meta = _meta(Path(job["run_dir"]))
        if meta.get("status") == "succeeded" and meta.get("model_id"):  # (a deleted model says "deleted")
            out.append((meta["model_id"], Path(job["run_dir"]), meta))
    return sorted(out, key=lambda r: r[2].get("finished_at") or 0, reverse=True)


def adopt_run(path: Path, db: Store | None = None) -> str | None:
    """Record a run folder that is no job (trained before runs were jobs, or copied from another
    machine) as a job in its recorded state; returns the job id (None: not a run folder, or
    already a job). Its id comes from the folder's ``meta.json``."""
    from afinar.engine.rundir import RunDir
    from afinar.jobs.registry import run_job

    db = db or store()
    path = Path(path).resolve()
    meta = _meta(path)
    if not meta.get("task") and not meta.get("model_id") or not (path / "config.yaml").is_file():
        return None
    if meta.get("status") == "queued":  # prepared, never started: its job is about to be created
        return None
    if db.job_of_run(path) is not None:
        return None
    status = meta.get("status") if meta.get("status") in ("succeeded", "failed", "cancelled") else "failed"
    job = run_job(meta.get("task", "chat"), RunDir(path), status, lambda i: db.get_job(i) is not None,
                  created_at=int(meta.get("created_at") or 0), request={"adopted": str(path)},
                  fine_tuned_model=meta.get("model_id") if status == "succeeded" else None,
                  finished_at=meta.get("finished_at"),
                  error=None if status == "succeeded" else {"code": "adopted", "param": None,
                                                           "message": meta.get("error") or "Not finished."})
    db.add_job(job)
    job_id = job["id"]
    return job_id


def adopt_run_folders(db: Store) -> int:
    """Every run folder under ``AFINAR_HOME/runs`` (and those its pointer files name) that is not a
    job yet; the count adopted (``adopt_once`` runs it once per database)."""
    root = runs_dir()
    if not root.is_dir():
        return 0
    folders = [meta.parent for meta in root.glob("*/meta.json")]
    for pointer in root.glob("*.json"):  # runs written elsewhere (--output) before runs were jobs
        try:
            folders.append(Path(json.loads(pointer.read_text(encoding="utf-8"))["path"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sum(1 for folder in folders if adopt_run(folder, db))


def _meta(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}

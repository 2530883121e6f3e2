"""What the job runner needs to know of a task: one ``TaskJob`` entry per task.

The entries are built in ``afinar.tasks.job_tasks()`` (the only list of task names) and passed to
the runner, so the job system sits below the tasks and imports none of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from afinar import i18n
from afinar.engine.rundir import RunDir


@dataclass(frozen=True)
class TaskJob:
    """One task as the runner sees it.

    ``train_module`` is started as ``python -m MODULE RUN_DIR [--resume]``. ``prepare`` writes the run
    folder of a job created without one (an API fine-tuning job: its files and hyperparameters);
    jobs of the studio and the CLI are created with their folder already written. ``resumable``: a
    restart continues from the last checkpoint (else from the beginning); ``pausable``: the
    training honours ``afinar.engine.rundir.PAUSE_FILE``. ``hyperparameters(config)`` are the
    values the job shows once its ``auto`` ones are resolved. ``died``: the catalog message a job
    fails with when its process vanished for good (params ``how``, ``log``, ``attempts``); the
    default speaks of a training and its checkpoints. ``rerun_resumes``: running the job again from
    the beginning continues its work (indexing skips what it finished), so a failed job is resumed
    without a checkpoint. ``process``: what the job's process is called in its events.
    """

    name: str
    train_module: str
    resumable: bool
    pausable: bool
    prepare: Callable[[dict[str, Any]], RunDir] | None = None
    hyperparameters: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda cfg: {})
    launcher: Callable[[RunDir, bool], subprocess.Popen] | None = None
    env: dict[str, str] = field(default_factory=dict)
    died: str | None = None
    rerun_resumes: bool = False
    process: str = "training"

    def launch(self, run: RunDir, resume: bool) -> subprocess.Popen:
        """Start the training process (never through a shell), its output appended to train.log."""
        if self.launcher is not None:
            return self.launcher(run, resume)
        cmd = [sys.executable, "-m", self.train_module, str(run.path)] + (["--resume"] if resume else [])
        env = dict(os.environ, AFINAR_LANG=i18n.get_lang(), PYTHONUNBUFFERED="1", **self.env)
        log = open(run.path / "train.log", "ab")  # noqa: SIM115 - owned by the child for its lifetime
        try:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        finally:
            log.close()


def run_job(task: str, run: RunDir, status: str, taken: Callable[[str], bool],
            hyperparameters: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """The job record of a run whose folder is written (the studio's and the terminal's jobs, and
    folders from before runs were jobs): base, data file and seed read from the folder, the id from
    its ``meta.json`` unless ``taken(id)`` (a copy of another job's folder gets an id of its own);
    ``fields`` add or override."""
    import time

    from afinar.engine.modelid import new_job_id

    meta, config = run.read_meta(), run.read_config()
    path = str(run.path.resolve())
    job_id = meta.get("job_id")
    if not job_id or taken(job_id):
        job_id = new_job_id()
    return {"id": job_id, "task": task, "created_at": int(time.time()),
            "model": str(meta.get("base") or meta.get("base_model") or config.get("base") or config.get("model") or "?"),
            "training_file": str(meta.get("data_name") or config.get("data") or ""), "validation_file": None,
            "status": status, "request": {"task": task, "run_dir": path},
            "hyperparameters": hyperparameters or {}, "suffix": config.get("suffix"),
            "seed": int(config.get("seed") or meta.get("seed") or 0), "metadata": None, "result_files": [],
            "run_dir": path, **fields}

"""``afinar train TASK`` in a terminal: a job of the one queue that this process follows itself.

The run is recorded as a job (so ``afinar jobs list`` and ``GET /v1/afinar/jobs`` show it, and a
server started later adopts it if this terminal goes away), its training process is started through
the task's entry, and this process — the job's *follower* — shows its progress and records its end,
exactly as the server's runner would (the training process writes its events into the job itself,
``afinar.jobs.child``). While the follower lives, a server's
runner leaves the job to it; if the follower dies (its terminal was closed, ``kill -9``) the runner
adopts the training, or restarts it from its last checkpoint. Ctrl-C stops the training and the job
ends ``cancelled`` (its checkpoints stay: ``afinar train chat --resume RUN`` continues from them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

from afinar.engine.rundir import RunDir
from afinar.engine.subprocess_run import forward_metrics
from afinar.errors import AfinarError
from afinar.jobs.registry import TaskJob, run_job
from afinar.jobs.runner import JobRunner
from afinar.jobs.store import Store

POLL_SECONDS = 0.25


def train_or_raise(entry: TaskJob, run: RunDir, on_progress: Callable[[dict[str, Any]], None],
                   message_prefix: str) -> dict[str, Any]:
    """``run_attached``, then the run's final ``meta.json``; a job that did not succeed raises
    ``{message_prefix}.failed`` (with the reason and the log's path) from the message catalog."""
    job = run_attached(entry, run, on_progress)
    if job["status"] != "succeeded":
        reason = (job.get("error") or {}).get("message") or job["status"]
        raise AfinarError(f"{message_prefix}.failed", reason=reason, log=str(run.path / "train.log"))
    return run.read_meta()


def run_attached(entry: TaskJob, run: RunDir, on_progress: Callable[[dict[str, Any]], None] | None = None, *,
                 resume: bool = False, launch: Callable[[RunDir, bool], subprocess.Popen] | None = None,
                 store: Store | None = None) -> dict[str, Any]:
    """Train ``run`` as a job followed by this process; returns the job's final record.

    ``on_progress`` gets every new ``metrics.jsonl`` record; ``launch`` starts the training process
    (default: the entry's, output to ``train.log``). A run that already has a job (``--resume``)
    continues that job."""
    store = store or Store()
    runner = JobRunner(store, {entry.name: entry})
    job = store.job_of_run(run.path)
    own = run.read_meta().get("job_id")
    if job is not None and own and job["id"] != own and not resume:
        job = None  # the folder was made anew (same path, a new run): the old job is history
    # the job is "running" and followed by this process before its training starts, so a server's
    # runner never starts it too
    if job is None:
        job = run_job(entry.name, run, "running", lambda i: store.get_job(i) is not None,
                      entry.hyperparameters(run.read_config()), follower=os.getpid())
        store.add_job(job)
        store.add_event(job["id"], f"Job started from the terminal: {entry.name}, run folder {run.path.name}")
    elif not store.update_job(job["id"], status="running", follower=os.getpid(), error=None, finished_at=None,
                              requested=None, attempts=0, expect_status=("failed", "cancelled", "paused")):
        raise AfinarError("jobs.foreground.busy", job_id=job["id"], status=job["status"], path=str(run.path))
    try:
        proc = (launch or entry.launch)(run, resume)
    except BaseException:
        store.update_job(job["id"], follower=None)
        runner.fail(store.get_job(job["id"]) or job, "job_setup_failed", "The training process could not start.")
        raise
    store.update_job(job["id"], pid=proc.pid)
    runner.procs[job["id"]] = proc
    seen, current = 0, job
    try:
        while True:
            code = proc.poll()
            if on_progress is not None:
                seen = forward_metrics(run, seen, on_progress)
            current = store.get_job(job["id"]) or job
            if code is not None:
                break
            runner.follow(current)
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        runner.cancel({**current, "pid": None})
        store.update_job(job["id"], pid=None, follower=None)
        raise
    runner.finish(current, code)
    return store.get_job(job["id"]) or current

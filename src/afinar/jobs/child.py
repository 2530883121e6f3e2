"""The job's side inside its training process: events go straight into the job's record.

A training (or indexing) process calls ``attach(run)`` first. When the run folder belongs to a job of
the database, every event the training logs (``RunDir.log_event``) is written into that job's events
by the process that makes it, as it makes it, so ``GET /v1/afinar/jobs/{id}/events``, ``afinar jobs
events`` and the studio read them at once and no follower copies them from ``events.jsonl`` (which
stays in the run folder as the run's own log). The job's ``events_read`` says how much of that file
is recorded: what the process that prepared the run wrote before the training started (the chat
recipe's reasons, "Validating training file: ok") is taken in when the training attaches, and a
restarted training does not record its predecessor's events twice. A run trained outside the queue
(a test running the module by hand) has no job: its events stay in the file only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from afinar.engine.rundir import RunDir, set_event_sink
from afinar.jobs.store import Store, db_path


class JobEvents:
    """Writes a run's events into its job's record (OpenAI's levels; loss rows as ``metrics``)."""

    def __init__(self, store: Store, job_id: str, log: Path):
        self.store, self.job_id, self.log = store, job_id, log

    def backlog(self, offset: int) -> None:
        """Record the whole lines of events.jsonl after ``offset`` (what was logged before the training
        attached: by the process that prepared the run, or by an earlier attempt that died before
        recording them)."""
        if not self.log.is_file():
            return
        with open(self.log, "rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
        for line in chunk.splitlines(keepends=True):
            offset += len(line)
            if not line.endswith(b"\n"):
                break
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self(event, read_to=offset)

    def __call__(self, event: dict[str, Any], read_to: int | None = None) -> None:
        """Record ``event`` (already appended to events.jsonl: the file is recorded up to its end, or
        up to ``read_to``)."""
        level = {"warning": "warn", "warn": "warn", "error": "error"}.get(event.get("level") or "", "info")
        data = event.get("data") or {}
        try:
            if read_to is None:
                read_to = self.log.stat().st_size
            if level == "error" and (self.store.get_job(self.job_id) or {}).get("requested") == "cancel":
                # the training's report of its own interruption: the job says "cancelled" already
                self.store.update_job(self.job_id, events_read=read_to)
                return
            self.store.add_event(self.job_id, event["message"], level=level, data=data,
                                 created_at=event.get("created_at"),
                                 kind="metrics" if "train_loss" in data else "message", events_read=read_to)
        except sqlite3.Error as err:  # the database is busy past its timeout: the training goes on
            print(f"afinar: could not record the event {event['message']!r} in job {self.job_id} ({err}); "
                  "it is in events.jsonl", file=sys.stderr, flush=True)


def attach(run: RunDir) -> str | None:
    """Send ``run``'s events to its job (found by its run folder, or by the job id its ``meta.json``
    names while the queue has not recorded the folder yet); returns the job id, or None when the run
    has no job or this is not the main process of a multi-process training."""
    if os.environ.get("RANK", "0") != "0" or not db_path().is_file():
        return None
    store = Store()
    job = store.job_of_run(run.path)
    if job is None:
        named = store.get_job(str(run.read_meta().get("job_id") or ""))
        if named is not None and named.get("run_dir") in (None, "", str(run.path.resolve())):
            job = named
    if job is None:
        store.close()
        return None
    events = JobEvents(store, job["id"], run.path / "events.jsonl")
    events.backlog(int(job.get("events_read") or 0))
    set_event_sink(run.path, events)
    return job["id"]

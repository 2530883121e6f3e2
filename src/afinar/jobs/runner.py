"""The job queue of every task: one background thread moves jobs through OpenAI's statuses.

validating_files → queued → running → succeeded | failed | cancelled (and paused ⇄ queued).

Each running job is a training subprocess started from the job's saved run folder through its
task's ``TaskJob`` entry (``python -m afinar.tasks.TASK.train RUN``), so the queue survives the
server: the job's state is in SQLite, the training's state in its run folder. On start the runner
looks at every job that had a process: a training process that is still alive (the server was
killed, not the training) is adopted and followed to the end; one that died is restarted (from its
last checkpoint when the task's checkpoints keep the training state, else from the beginning) up
to ``MAX_RESTARTS`` times, or, failing that, the job fails with the reason. Queued jobs simply stay
queued. The same rules hold for every task.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.data.findings import summary as findings_summary
from afinar.engine.process import training_alive
from afinar.engine.rundir import PAUSE_FILE, RunDir
from afinar.errors import AfinarError
from afinar.jobs.registry import TaskJob
from afinar.jobs.store import ACTIVE, Store, files_dir, new_id

log = logging.getLogger("afinar.server")

MAX_RESTARTS = 2
CANCEL_GRACE_S = 10.0
TAIL_BYTES = 8192


class JobRunner:
    """``tasks``: the task entries by name (``afinar.tasks.job_tasks()``)."""

    def __init__(self, store: Store, tasks: Mapping[str, TaskJob], parallel: int = 1, poll_s: float = 0.5):
        self.store, self.tasks, self.parallel, self.poll_s = store, dict(tasks), max(1, parallel), poll_s
        self.procs: dict[str, subprocess.Popen] = {}
        self._lock = threading.RLock()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._kill_at: dict[str, float] = {}

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="afinar-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread; running trainings go on (the next server start adopts them)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the queue must outlive any one bad job: logged, retried next tick
                log.exception("job worker tick failed")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def tick(self) -> None:
        with self._lock:
            for job in self.store.jobs_with_status("validating_files"):
                self._validate(job)
            for job in self.store.jobs_with_process():
                self._monitor(job)
            busy = len(self.store.jobs_with_process())
            for job in self.store.jobs_with_status("queued"):
                if busy >= self.parallel:
                    break
                if job["pid"]:  # resumed while its pause is still being saved: wait for that process
                    continue
                if self._start(job):
                    busy += 1

    # --- requests from the API --------------------------------------------------------------
    # (No runner lock here: the worker may be busy preparing another job for a while. Every change
    # is one database update, and starting a job is a compare-and-set on "queued".)
    def cancel(self, job: dict[str, Any]) -> None:
        now = int(time.time())
        if not self.store.update_job(job["id"], status="cancelled", finished_at=now, estimated_finish=None,
                                     requested="cancel", expect_status=(*ACTIVE, "paused")):
            return  # it ended meanwhile
        self.store.add_event(job["id"], "Fine-tuning job cancelled")
        if job.get("pid"):
            self._signal(job, signal.SIGTERM)
            self._kill_at[job["id"]] = time.monotonic() + CANCEL_GRACE_S
        self.wake()

    def can_pause(self, job: dict[str, Any]) -> bool:
        entry = self.tasks.get(job.get("task") or "chat")
        return entry is not None and entry.pausable

    def pause(self, job: dict[str, Any]) -> None:
        if not self.can_pause(job):
            raise AfinarError("jobs.pause.unsupported", job_id=job["id"], task=job.get("task"))
        if not self.store.update_job(job["id"], status="paused", estimated_finish=None, requested="pause",
                                     expect_status=("running",)):
            return
        if job.get("run_dir"):
            (Path(job["run_dir"]) / PAUSE_FILE).write_text("pause\n", encoding="utf-8")
        self.store.add_event(job["id"], "Pause requested: the job stops at its next safe point (a step for chat; "
                                        "an epoch for classifiers) and keeps it")
        self.wake()

    def resume(self, job: dict[str, Any]) -> None:
        if not self.store.update_job(job["id"], status="queued", requested="resume", expect_status=("paused",)):
            return
        self.store.add_event(job["id"], "Fine-tuning job resumed: queued to continue from its last checkpoint")
        self.wake()

    def can_retry(self, job: dict[str, Any]) -> bool:
        """A failed job can be queued again: it kept a checkpoint, or its task resumes by running again."""
        run = RunDir(Path(job["run_dir"])) if job.get("run_dir") else None
        if run is None or not run.config_path.is_file():
            return False
        entry = self.tasks.get(job.get("task") or "chat")
        return run.last_checkpoint() is not None or (entry is not None and entry.rerun_resumes)

    def retry(self, job: dict[str, Any]) -> None:
        """A failed job with a checkpoint: queued again, to continue from that checkpoint (a task whose
        re-run resumes: to run again, skipping what it finished)."""
        if not self.store.update_job(job["id"], status="queued", requested="resume", error=None, finished_at=None,
                                     attempts=0, expect_status=("failed",)):
            return
        entry = self.tasks.get(job.get("task") or "chat")
        where = "to run again, skipping what it finished" if entry is not None and entry.rerun_resumes \
            else "to continue from its last checkpoint"
        self.store.add_event(job["id"], f"Failed job resumed: queued {where}")
        self.wake()

    # --- states -----------------------------------------------------------------------------
    def fail(self, job: dict[str, Any], code: str, message: str, param: str | None = None) -> None:
        self.store.update_job(job["id"], status="failed", finished_at=int(time.time()), estimated_finish=None,
                              error={"code": code, "message": message, "param": param})
        self.store.add_event(job["id"], message, level="error")

    def _validate(self, job: dict[str, Any]) -> None:
        lang = i18n.get_lang()
        for field in ("training_file", "validation_file"):
            file_id = job[field]
            if not file_id:
                continue
            rec = self.store.get_file(file_id)
            if rec is None or not (files_dir() / file_id).is_file():
                return self.fail(job, f"invalid_{field}", i18n.t("server.job.file_gone", lang, file_id=file_id), field)
            if rec["status"] == "error":
                return self.fail(job, f"invalid_{field}",
                                 findings_summary(rec["findings"] or [], rec["filename"], lang), field)
        if self.store.update_job(job["id"], status="queued", expect_status=("validating_files",)):
            self.store.add_event(job["id"], "Files validated, moving job to queued state")

    def _start(self, job: dict[str, Any]) -> bool:
        entry = self.tasks.get(job["task"])
        try:
            if entry is None:
                raise AfinarError("jobs.task.unknown", task=job["task"], tasks=", ".join(sorted(self.tasks)))
            if job["run_dir"] and (Path(job["run_dir"]) / "config.yaml").is_file():
                run = RunDir(Path(job["run_dir"]))
                (run.path / PAUSE_FILE).unlink(missing_ok=True)
                resume = True
            elif entry.prepare is not None:  # an API job: its run folder is written now
                run, resume = entry.prepare(job), False
            else:
                raise AfinarError("jobs.run.missing", job_id=job["id"], path=str(job["run_dir"]))
            proc = entry.launch(run, resume)
        except AfinarError as err:
            report = getattr(err, "report", None)
            if report is not None:  # the data has errors: the first ones, with their lines
                self.fail(job, "invalid_training_file",
                          findings_summary(report.errors, report.file, i18n.get_lang()), "training_file")
            else:
                self.fail(job, "job_setup_failed", err.message(i18n.get_lang()))
            return False
        except Exception as err:
            log.exception("could not start %s", job["id"])
            self.fail(job, "server_error", f"{type(err).__name__}: {err}")
            return False
        started = self.store.update_job(
            job["id"], expect_status=("queued",), status="running", pid=proc.pid, run_dir=str(run.path.resolve()),
            requested=None, hyperparameters=entry.hyperparameters(run.read_config()))
        self.procs[job["id"]] = proc
        if not started:  # cancelled while we were preparing
            self.store.update_job(job["id"], pid=proc.pid, run_dir=str(run.path))
            self._signal({**job, "pid": proc.pid, "run_dir": str(run.path)}, signal.SIGTERM)
            self._kill_at[job["id"]] = time.monotonic() + CANCEL_GRACE_S
            return False
        return True

    def _monitor(self, job: dict[str, Any]) -> None:
        if _followed_elsewhere(job):  # `afinar train` in a terminal follows it itself
            return
        run = RunDir(Path(job["run_dir"])) if job["run_dir"] else None
        if self._alive(job):
            if job["id"] in self._kill_at and time.monotonic() > self._kill_at[job["id"]]:
                self._signal(job, signal.SIGKILL)
            elif job["status"] == "running" and run is not None:
                self._progress(job, run)
            return
        proc = self.procs.pop(job["id"], None)
        self._kill_at.pop(job["id"], None)
        self._ended(job, run, proc.returncode if proc is not None else None, restart=True)

    # --- a job followed by `afinar train` in the foreground (afinar.jobs.foreground) ---------
    def follow(self, job: dict[str, Any]) -> None:
        """While its training runs: update its progress (its events it records itself)."""
        run = RunDir(Path(job["run_dir"]))
        if job["status"] == "running":
            self._progress(job, run)

    def finish(self, job: dict[str, Any], code: int | None) -> None:
        """Its training process ended with ``code``: record how (no restart: the terminal shows it)."""
        run = RunDir(Path(job["run_dir"]))
        self.procs.pop(job["id"], None)
        self._ended(job, run, code, restart=False)
        self.store.update_job(job["id"], follower=None)

    def _ended(self, job: dict[str, Any], run: RunDir | None, code: int | None, restart: bool) -> None:
        meta = run.read_meta() if run is not None else {}
        current = self.store.get_job(job["id"]) or job
        outcome = meta.get("status")
        if current["status"] == "cancelled":
            self.store.update_job(job["id"], pid=None)
        elif outcome == "succeeded":
            self._succeed(current, run, meta)
        elif outcome == "paused":  # (a resume may already have queued it again)
            self.store.update_job(job["id"], pid=None, estimated_finish=None,
                                  **({} if current["status"] == "queued" else {"status": "paused"}))
        elif outcome == "failed":
            self.store.update_job(job["id"], pid=None)
            self.fail(current, "training_failed", meta.get("error") or "Training failed.")
        elif restart:  # the process vanished (killed, machine crash): resume or explain
            self._died(current, run, code)
        else:
            self.store.update_job(job["id"], pid=None)
            self.fail(current, "training_interrupted", i18n.t(self._died_key(job, "jobs.foreground.died"),
                                                               i18n.get_lang(), how=_how(code), attempts=0,
                                                               log=str(run.path / "train.log"), job_id=job["id"]))

    def _died(self, job: dict[str, Any], run: RunDir | None, code: int | None) -> None:
        entry = self.tasks.get(job["task"])
        how = _how(code)
        attempts = int(job["attempts"]) + 1
        if job["status"] == "paused":  # it died before saving its pause checkpoint: resume picks the last one
            self.store.update_job(job["id"], pid=None, estimated_finish=None)
            return
        if run is not None and entry is not None and attempts <= MAX_RESTARTS:
            step = _resume_step(run) if entry.resumable else None
            where = ("running it again, skipping what it finished" if entry.rerun_resumes else
                     f"restarting from its checkpoint at step {step}" if step is not None else
                     "restarting from the beginning")
            self.store.add_event(job["id"], f"The {entry.process} process stopped unexpectedly ({how}); "
                                            f"{where} (attempt {attempts} of {MAX_RESTARTS})",
                                 level="warn")
            proc = entry.launch(run, True)
            self.procs[job["id"]] = proc
            self.store.update_job(job["id"], pid=proc.pid, attempts=attempts, status="running")
            return
        log_path = run.path / "train.log" if run is not None else None
        self.store.update_job(job["id"], pid=None)
        self.fail(job, "training_interrupted", i18n.t(self._died_key(job, "server.job.died"), i18n.get_lang(),
                                                       how=how, attempts=MAX_RESTARTS, log=str(log_path),
                                                       job_id=job["id"]))

    def _died_key(self, job: dict[str, Any], default: str) -> str:
        entry = self.tasks.get(job["task"])
        return entry.died if entry is not None and entry.died else default

    def _succeed(self, job: dict[str, Any], run: RunDir, meta: dict[str, Any]) -> None:
        result_files = []
        results = run.path / "results.csv"
        if results.is_file():
            file_id = new_id("file")
            dest = files_dir() / file_id
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(results, dest)
            self.store.add_file({"id": file_id, "filename": "step_metrics.csv", "purpose": "fine-tune-results",
                                 "bytes": dest.stat().st_size, "created_at": int(time.time()),
                                 "status": "processed", "status_details": None, "findings": None,
                                 "examples": None, "owner": job.get("owner")})
            result_files.append(file_id)
        self.store.update_job(job["id"], pid=None, status="succeeded", fine_tuned_model=meta.get("model_id"),
                              finished_at=int(meta.get("finished_at") or time.time()),
                              trained_tokens=int(meta.get("trained_tokens") or 0), estimated_finish=None,
                              result_files=result_files, error=None)

    # --- process plumbing -------------------------------------------------------------------
    def _alive(self, job: dict[str, Any]) -> bool:
        proc = self.procs.get(job["id"])
        if proc is not None:
            return proc.poll() is None
        return training_alive(job["pid"], job["run_dir"])

    def _signal(self, job: dict[str, Any], sig: int) -> None:
        if self._alive(job):
            try:
                os.kill(int(job["pid"]), sig)
            except ProcessLookupError:
                pass

    def _progress(self, job: dict[str, Any], run: RunDir) -> None:
        """trained_tokens and estimated_finish (the remaining steps at the measured time per step)."""
        import json

        path = run.path / "metrics.jsonl"
        total = run.read_meta().get("total_steps")
        if not path.is_file() or not total:
            return
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - TAIL_BYTES))
            rows = []
            for raw in fh.read().splitlines():
                try:
                    row = json.loads(raw)
                except ValueError:  # the first, cut line of the tail, or one being written
                    continue
                if isinstance(row, dict) and "trained_tokens" in row and "time" in row and "step" in row:
                    rows.append(row)
        if not rows:
            return
        eta = estimated_finish(rows, int(total))
        self.store.update_job(job["id"], trained_tokens=int(rows[-1]["trained_tokens"]), estimated_finish=eta)


def estimated_finish(rows: list[dict[str, Any]], total: int) -> int | None:
    """The last row's time plus the steps left at the measured time per step: the median over the
    newest steps, so a pause or a resume (a gap in time, steps written again) does not skew it."""
    tail = rows[-21:]
    per_step = sorted((b["time"] - a["time"]) / (b["step"] - a["step"])
                      for a, b in pairwise(tail) if b["step"] > a["step"] and b["time"] >= a["time"])
    if not per_step:
        return None
    last = rows[-1]
    return int(last["time"] + per_step[len(per_step) // 2] * max(0, total - last["step"]))


def _resume_step(run: RunDir) -> int | None:
    """The step a restart continues from: the whole training state a classifier saves after each
    epoch (``checkpoints/resume``), else the last step checkpoint (chat), else None."""
    import json

    state = run.path / "checkpoints" / "resume" / "state.json"
    if state.is_file():
        try:
            return int(json.loads(state.read_text(encoding="utf-8"))["step"])
        except (ValueError, KeyError, TypeError):
            pass
    last = run.last_checkpoint()
    return int(last.name.split("-")[-1]) if last is not None else None


def _how(code: int | None) -> str:
    return (f"exit code {code}" if code is not None and code >= 0 else
            f"signal {-code}" if code is not None else "the process is gone")


def _followed_elsewhere(job: dict[str, Any]) -> bool:
    """Another live process (``afinar train`` in a terminal) follows this job."""
    follower = int(job.get("follower") or 0)
    if not follower or follower == os.getpid():
        return False
    try:
        os.kill(follower, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    stat = Path(f"/proc/{follower}/stat")
    try:  # a zombie is dead (Linux; elsewhere the probe above decides)
        return not stat.read_text().split(") ")[-1].startswith("Z")
    except OSError:
        return True

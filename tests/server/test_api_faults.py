"""The job queue under faults: cancel, pause/resume, a server killed with -9 mid-job, a training
process killed with -9. Real server, real training subprocesses, tiny random model."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import openai
import pytest
from serverkit import TECHSTORE, wait_for, wait_job

pytestmark = pytest.mark.cli


def _start_job(client, model: Path, epochs: int):
    with open(TECHSTORE / "train.jsonl", "rb") as fh:
        uploaded = client.files.create(file=fh, purpose="fine-tune")
    return client.fine_tuning.jobs.create(
        training_file=uploaded.id, model=str(model), seed=3,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": epochs, "batch_size": 1}}})


def _row(home: Path, job_id: str) -> dict:
    with sqlite3.connect(home / "afinar.db") as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except OSError:
        return False
    return state != "Z"


def _running_with_checkpoint(home: Path, job_id: str):
    row = _row(home, job_id)
    ready = row["status"] == "running" and row["pid"] and row["run_dir"]
    if ready and list((Path(row["run_dir"]) / "checkpoints").glob("checkpoint-*/state.json")):
        return row
    return None


def test_cancel_stops_the_training_within_seconds(server, make_client, tiny_model):
    client = make_client(server)
    job = _start_job(client, tiny_model, epochs=50)
    row = wait_for(lambda: _running_with_checkpoint(server.home, job.id), 120, what="a running job")
    running = wait_for(lambda: (j := client.fine_tuning.jobs.retrieve(job.id)).estimated_finish and j, 30,
                       what="an estimated finish")
    assert running.estimated_finish > time.time() - 5  # the steps left at the measured pace: in the future
    cancelled = client.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    started = time.monotonic()
    wait_for(lambda: not _alive(row["pid"]), 15, 0.1, what="the training process to stop")
    assert time.monotonic() - started < 15
    assert client.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    assert wait_for(lambda: _row(server.home, job.id)["pid"] is None, 10, what="the worker to notice")
    time.sleep(1.5)  # a few worker ticks: the training's last events are copied by now
    messages = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=1000)]
    assert "Fine-tuning job cancelled" in messages
    assert not [m for m in messages if "--resume" in m or "interrupted" in m.lower()]


def test_pause_keeps_the_step_and_resume_finishes(server, make_client, tiny_model):
    client = make_client(server, strict=False)  # the SDK's status type lacks "paused"
    job = _start_job(client, tiny_model, epochs=8)
    wait_for(lambda: _running_with_checkpoint(server.home, job.id), 120, what="a running job")
    assert client.fine_tuning.jobs.pause(job.id).status == "paused"
    paused = wait_for(lambda: [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=100)
                               if e.message.startswith("Fine-tuning job paused at step")], 60, what="the pause")
    step = int(paused[0].rsplit(" ", 1)[-1])
    wait_for(lambda: _row(server.home, job.id)["pid"] is None, 30, what="the paused process to exit")
    meta = json.loads((Path(_row(server.home, job.id)["run_dir"]) / "meta.json").read_text())
    assert meta["status"] == "paused" and meta["paused_step"] == step
    assert client.fine_tuning.jobs.retrieve(job.id).status == "paused"
    assert client.fine_tuning.jobs.resume(job.id).status == "queued"
    done = wait_job(client, job.id)
    assert done.status == "succeeded", done.error
    messages = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=1000)]
    assert f"Resumed from checkpoint at step {step}" in messages


def test_server_killed_mid_job_then_restarted_completes_it(servers, make_client, tiny_model):
    first = servers.start()
    job = _start_job(make_client(first), tiny_model, epochs=10)
    row = wait_for(lambda: _running_with_checkpoint(first.home, job.id), 120, what="a running job")
    os.kill(first.proc.pid, signal.SIGKILL)  # the server only: its training goes on
    first.proc.wait(timeout=10)
    second = servers.start()
    second.groups.append(first.proc.pid)
    client = make_client(second)
    done = wait_job(client, job.id)
    assert done.status == "succeeded", done.error
    assert done.fine_tuned_model and done.trained_tokens
    messages = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=1000)]
    assert messages[0] == "The job has successfully completed"
    assert not any("stopped unexpectedly" in m for m in messages)  # adopted, not restarted
    assert _row(second.home, job.id)["pid"] is None
    # the runner saw the adopted process end when its command line went away, which happens while
    # the kernel tears it down: give it the moment it takes to be gone (CI once caught it mid-exit)
    wait_for(lambda: not _alive(row["pid"]), 10, what="the adopted training process to be gone")


def test_training_process_killed_is_resumed_from_its_checkpoint(server, make_client, tiny_model):
    client = make_client(server)
    job = _start_job(client, tiny_model, epochs=6)
    row = wait_for(lambda: _running_with_checkpoint(server.home, job.id), 120, what="a running job")
    os.kill(row["pid"], signal.SIGKILL)
    done = wait_job(client, job.id)
    assert done.status == "succeeded", done.error
    events = [e for e in client.fine_tuning.jobs.list_events(job.id, limit=1000)]
    warned = [e for e in events if "stopped unexpectedly (signal 9)" in e.message]
    assert warned and warned[0].level == "warn" and "restarting from its checkpoint at step" in warned[0].message
    assert any(e.message.startswith("Resumed from checkpoint at step") for e in events)


def test_training_that_keeps_dying_fails_with_a_reason(server, make_client, tiny_model):
    client = make_client(server)
    job = _start_job(client, tiny_model, epochs=50)
    for attempt in range(3):  # the first run and both restarts
        row = wait_for(lambda n=attempt: (r := _row(server.home, job.id))["pid"] and r["attempts"] == n and r, 120,
                       what=f"attempt {attempt}")
        os.kill(row["pid"], signal.SIGKILL)
    done = wait_job(client, job.id)
    assert done.status == "failed"
    assert done.error.code == "training_interrupted"
    assert "stopped unexpectedly (signal 9)" in done.error.message and "train.log" in done.error.message


def test_a_failed_job_with_checkpoints_resumes_through_the_api_and_counts_each_step_once(server, make_client,
                                                                                        tiny_model):
    client = make_client(server)
    job = _start_job(client, tiny_model, epochs=6)
    for attempt in range(3):  # the first run and both restarts, each killed once it has a checkpoint
        row = wait_for(lambda n=attempt: (r := _running_with_checkpoint(server.home, job.id)) and r["attempts"] == n
                       and r, 120, what=f"attempt {attempt} with a checkpoint")
        os.kill(row["pid"], signal.SIGKILL)
    failed = wait_job(client, job.id)
    assert failed.status == "failed" and failed.error.code == "training_interrupted"
    resumed = client.fine_tuning.jobs.resume(job.id)
    assert resumed.status == "queued" and resumed.error is None and resumed.finished_at is None
    done = wait_job(client, job.id)
    assert done.status == "succeeded", done.error
    run = Path(_row(server.home, job.id)["run_dir"])
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()
             if "train_loss" in json.loads(line)]
    assert steps == list(range(1, 6 * 24 + 1))  # every step once, in order, after three crashes and a resume
    content = client.files.content(done.result_files[0]).read().decode().splitlines()
    assert [int(line.split(",")[0]) for line in content[1:]] == steps
    messages = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=1000)]
    assert "Failed job resumed: queued to continue from its last checkpoint" in messages
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.resume(job.id)  # succeeded: nothing to resume

"""A training process writes its own events into its job's record (afinar.jobs.child): what the
process that prepared the run logged first is taken in once, and a restarted training does not
record its predecessor's events again."""

from __future__ import annotations

from pathlib import Path

from afinar.engine.rundir import RunDir, set_event_sink
from afinar.jobs.child import attach
from afinar.jobs.registry import run_job
from afinar.jobs.store import Store


def _messages(store: Store, job_id: str) -> list[str]:
    events, _ = store.list_events(job_id, None, 100)
    return [e["message"] for e in reversed(events)]


def test_events_reach_the_job_once_across_a_restart(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path / "run")
    run.write_config({"base": "tiny", "data": "train.jsonl", "seed": 1})
    run.log_event("Validating training file: ok")  # the preparing process: no job attached here
    store = Store()
    job = run_job("chat", run, "running", lambda _: False)
    store.add_job(job)
    store.add_event(job["id"], "Files validated, moving job to queued state")
    try:
        assert attach(run) == job["id"]
        run.log_event("Step 1/4: training loss=2.00", train_loss=2.0)
        run.log_event("Tokenizer saved", level="warning")
        # the process dies; its successor attaches again and goes on
        set_event_sink(run.path, None)
        run.log_event("written while no training was attached")
        assert attach(RunDir(run.path)) == job["id"]
        run.log_event("Step 2/4: training loss=1.00", train_loss=1.0)
    finally:
        set_event_sink(run.path, None)
    assert _messages(store, job["id"]) == [
        "Files validated, moving job to queued state", "Validating training file: ok",
        "Step 1/4: training loss=2.00", "Tokenizer saved", "written while no training was attached",
        "Step 2/4: training loss=1.00"]
    events, _ = store.list_events(job["id"], None, 100)
    kinds = {e["message"]: (e["level"], e["type"]) for e in events}
    assert kinds["Step 1/4: training loss=2.00"] == ("info", "metrics")
    assert kinds["Tokenizer saved"] == ("warn", "message")
    assert store.get_job(job["id"])["events_read"] == (run.path / "events.jsonl").stat().st_size


def test_a_run_without_a_job_keeps_its_events_in_its_folder(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path / "alone")
    Store().close()  # the database exists, this run has no job in it
    assert attach(run) is None
    run.log_event("Step 1/1: training loss=1.00")
    assert [e["message"] for e in run.events()] == ["Step 1/1: training loss=1.00"]

"""`afinar jobs` and `afinar keys`: the job queue's database from the terminal (no server running)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat

pytestmark = pytest.mark.cli
TRAIN = Path(__file__).resolve().parents[2] / "examples" / "techstore" / "train.jsonl"


def test_jobs_list_show_events_cancel(run_cli, tmp_path: Path) -> None:
    from afinar.server.service import Service

    code, out, _ = run_cli("jobs", "list")
    assert code == 0 and "No jobs yet" in out
    model = tiny_chat.build(tmp_path / "tiny")
    service = Service(start_worker=False)
    f = service.upload_file(TRAIN, "train.jsonl")
    job = service.create_job({"training_file": f["id"], "model": str(model), "suffix": "cli"})

    code, out, _ = run_cli("jobs", "list", "--json")
    assert code == 0 and [(j["id"], j["task"]) for j in json.loads(out)["data"]] == [(job["id"], "chat")]
    code, out, _ = run_cli("jobs", "show", job["id"])
    assert code == 0 and json.loads(out)["status"] == "validating_files"
    code, out, _ = run_cli("jobs", "events", job["id"])
    assert code == 0 and f"Validating training file: {f['id']}" in out
    code, out, _ = run_cli("jobs", "cancel", job["id"])
    assert code == 0 and f"Job {job['id']} cancelled." in out
    assert service.get_job(job["id"])["status"] == "cancelled"
    code, _, err = run_cli("jobs", "cancel", job["id"])
    assert code == 1 and "already cancelled" in err and "Traceback" not in err, err
    code, _, err = run_cli("jobs", "show", "ftjob-nope")
    assert code == 1 and "No fine-tuning job with id 'ftjob-nope'" in err


def test_keys_create_stores_only_a_hash(run_cli, afinar_home: Path) -> None:
    code, out, _ = run_cli("keys", "create")
    key = out.strip().rsplit(" ", 1)[-1]
    assert code == 0 and key.startswith("sk-afinar-")
    stored = (afinar_home / "api_keys.json").read_text()
    assert key not in stored and len(json.loads(stored)["keys"]) == 1
    code, out, _ = run_cli("keys", "list")
    assert code == 0 and "1 API key(s)" in out

    from afinar.cli.serve import stored_keys
    from afinar.server.app import Settings, key_matches

    settings = Settings(keys=stored_keys(), require_key=True)
    assert key_matches(key, settings) and not key_matches(key + "x", settings)


def _jobs(run_cli) -> list[dict]:
    code, out, err = run_cli("jobs", "list", "--json")
    assert code == 0, err
    return json.loads(out)["data"]


def test_training_in_a_terminal_is_a_job_of_the_queue(run_cli, tmp_path: Path) -> None:
    """`afinar train TASK` records a job this terminal follows: listed with its task, its events
    copied, its end recorded, as a server's runner would."""
    import csv

    from fixtures.models.tiny_bert import write_tiny_bert

    example = TRAIN.parents[1] / "restaurante"
    with open(example / "train.csv", encoding="utf-8") as fh:
        texts = [" ".join(r.values()) for r in csv.DictReader(fh)]
    bert = write_tiny_bert(tmp_path / "bert", texts, hidden=32)
    code, _, err = run_cli("train", "text-classification", "--data", example / "train.csv", "--base", bert,
                           "--epochs", "2", "--batch-size", "16", "-o", tmp_path / "resenas")
    assert code == 0, err
    model = tiny_chat.build(tmp_path / "tiny")
    code, _, err = run_cli("train", "chat", TRAIN, "--model", model, "--epochs", "1", "--suffix", "terminal",
                           "--output", tmp_path / "chat")
    assert code == 0, err
    chat, textcls = _jobs(run_cli)  # newest first
    assert (textcls["task"], textcls["status"], textcls["fine_tuned_model"]) == ("text-classification", "succeeded",
                                                                                 "resenas")
    meta = json.loads((tmp_path / "chat" / "meta.json").read_text(encoding="utf-8"))
    assert (chat["id"], chat["task"], chat["status"]) == (meta["job_id"], "chat", "succeeded")
    assert chat["fine_tuned_model"] == meta["model_id"] and chat["model"] == str(model)
    code, out, _ = run_cli("jobs", "events", textcls["id"])
    assert code == 0 and "Job started from the terminal" in out and "Epoch 2/2" in out

    # the same folder made anew (`make demo` twice: the demo removes its output first) is a new job
    import shutil

    shutil.rmtree(tmp_path / "chat")
    code, _, err = run_cli("train", "chat", TRAIN, "--model", model, "--epochs", "1", "--output", tmp_path / "chat")
    assert code == 0, err
    again = _jobs(run_cli)[0]
    assert again["id"] != chat["id"] and again["status"] == "succeeded"
    assert again["id"] == json.loads((tmp_path / "chat" / "meta.json").read_text(encoding="utf-8"))["job_id"]


def test_a_terminal_training_killed_fails_with_the_reason_then_resumes_as_the_same_job(run_cli, tmp_path: Path,
                                                                                       afinar_home: Path) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import time

    model = tiny_chat.build(tmp_path / "tiny")
    run = tmp_path / "run"
    env = {**os.environ, "AFINAR_HOME": str(afinar_home), "AFINAR_LANG": "es"}
    cli = subprocess.Popen([sys.executable, "-m", "afinar", "train", "chat", str(TRAIN), "--model", str(model),
                            "--epochs", "8", "--batch-size", "1", "--keep-checkpoints", "20", "--output", str(run)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def row() -> dict | None:
        if not (afinar_home / "afinar.db").is_file():
            return None
        with sqlite3.connect(afinar_home / "afinar.db") as db:
            db.row_factory = sqlite3.Row
            found = db.execute("SELECT * FROM jobs").fetchone()
            return dict(found) if found else None

    deadline = time.time() + 120
    while time.time() < deadline and not (list((run / "checkpoints").glob("checkpoint-*/state.json"))
                                          if (run / "checkpoints").is_dir() else []):
        time.sleep(0.05)
    job = row()
    assert job and job["status"] == "running" and job["follower"] == cli.pid and job["pid"]
    os.kill(job["pid"], signal.SIGKILL)
    _, err = cli.communicate(timeout=60)
    err = " ".join(err.split())  # the terminal's line wrapping
    assert cli.returncode == 1 and "Traceback" not in err
    assert "se detuvo inesperadamente (signal 9)" in err, err
    failed = row()
    assert failed["status"] == "failed" and failed["pid"] is None and failed["follower"] is None
    assert json.loads(failed["error"])["code"] == "training_interrupted"
    code, _, err = run_cli("train", "chat", "--resume", run)
    assert code == 0, err
    (done,) = _jobs(run_cli)
    assert (done["id"], done["status"]) == (failed["id"], "succeeded")
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
             if "train_loss" in line]
    assert steps == sorted(set(steps))

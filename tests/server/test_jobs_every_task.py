"""One job system for every task: classifier runs queued the way the studio queues them are jobs of
the server's runner, listed, paused, resumed and recovered through Afinar's API and `afinar jobs`
like chat jobs. Real server, real training subprocesses, tiny random models."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from serverkit import wait_for

pytestmark = pytest.mark.cli

REPO = Path(__file__).resolve().parents[2]
RESTAURANTE = REPO / "examples" / "restaurante"


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import csv

    from fixtures.models.tiny_bert import write_tiny_bert

    texts = []
    for name in ("train.csv", "valid.csv"):
        with open(RESTAURANTE / name, encoding="utf-8") as fh:
            texts += [" ".join(r.values()) for r in csv.DictReader(fh)]
    return write_tiny_bert(tmp_path_factory.mktemp("bert") / "bert", texts, hidden=32)


def _queue_text_run(base: Path, epochs: int) -> dict:
    """What the studio's Clasificador de texto page does on "Entrenar": prepare the run, queue it."""
    from afinar.server.service import Service
    from afinar.studio import runs

    run = runs.start_text({"data": RESTAURANTE / "train.csv", "valid": RESTAURANTE / "valid.csv",
                           "base": str(base), "epochs": epochs, "lr": 0.005, "batch_size": 8, "patience": 0},
                          Service(start_worker=False))
    return Service(start_worker=False).store.job_of_run(run)


def _queue_image_run(tmp: Path, epochs: int) -> dict:
    from fixtures.models.tiny_images import write_base, write_shapes

    from afinar.server.service import Service
    from afinar.studio import runs

    run = runs.start_images({"data": write_shapes(tmp / "formas", train=8, valid=4), "base": str(write_base(tmp / "b")),
                             "image_size": 32, "stage1_epochs": epochs, "stage2_epochs": 1, "stage1_lr": 0.01},
                            Service(start_worker=False))
    return Service(start_worker=False).store.job_of_run(run)


def _get(server, path: str, **params) -> dict:
    response = httpx.get(server.url + path, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AFINAR_HOME": str(home), "AFINAR_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "afinar", "jobs", *args], env=env, capture_output=True, text=True,
                          check=False, timeout=120)


def _job(server, job_id: str) -> dict:
    return _get(server, f"/v1/afinar/jobs/{job_id}")


def _finished(server, job_id: str, timeout: float = 240) -> dict:
    return wait_for(lambda: (j := _job(server, job_id))["status"] in ("succeeded", "failed", "cancelled") and j,
                    timeout, what=f"job {job_id} to end")


def _row(home: Path, job_id: str) -> dict:
    import sqlite3

    with sqlite3.connect(home / "afinar.db") as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone())


def _epochs_done(run_dir: str) -> int:
    path = Path(run_dir) / "metrics.jsonl"
    if not path.is_file():
        return 0
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if '"kind": "epoch"' in line)


def _steps_once(run_dir: str) -> None:
    rows = [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    steps = [r["step"] for r in rows if r["kind"] == "step"]
    assert steps == list(range(1, len(steps) + 1)), steps
    assert sum(1 for r in rows if r["kind"] == "start") == 1


def test_a_studio_classifier_job_is_listed_paused_and_resumed_through_the_api_and_the_cli(server, tiny_bert):
    job = _queue_text_run(tiny_bert, epochs=60)
    running = wait_for(lambda: (r := _row(server.home, job["id"]))["status"] == "running" and r["run_dir"]
                       and _epochs_done(r["run_dir"]) >= 1 and r, 120, what="a running classifier job")
    listed = _get(server, "/v1/afinar/jobs")["data"]
    assert [(j["id"], j["task"]) for j in listed] == [(job["id"], "text-classification")]
    assert _get(server, "/v1/fine_tuning/jobs")["data"] == []  # OpenAI's list: chat jobs only
    assert httpx.get(f"{server.url}/v1/fine_tuning/jobs/{job['id']}").status_code == 404

    out = _cli(server.home, "pause", job["id"])
    assert out.returncode == 0, out.stderr
    paused = wait_for(lambda: (r := _row(server.home, job["id"]))["status"] == "paused" and r["pid"] is None and r,
                      90, what="the pause to be saved")
    meta = json.loads((Path(running["run_dir"]) / "meta.json").read_text(encoding="utf-8"))
    assert meta["status"] == "paused" and 1 <= _epochs_done(paused["run_dir"]) < 60
    out = _cli(server.home, "list", "--json")
    rows = json.loads(out.stdout)["data"]
    assert [(r["id"], r["task"], r["status"]) for r in rows] == [(job["id"], "text-classification", "paused")]
    assert {"id", "task", "status", "created_at", "model"} <= set(rows[0])

    resumed = httpx.post(f"{server.url}/v1/afinar/jobs/{job['id']}/resume", timeout=30)
    assert resumed.status_code == 200 and resumed.json()["status"] == "queued", resumed.text
    done = _finished(server, job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["fine_tuned_model"] == Path(running["run_dir"]).name
    _steps_once(running["run_dir"])
    assert _epochs_done(running["run_dir"]) == 60
    messages = [e["message"] for e in _get(server, f"/v1/afinar/jobs/{job['id']}/events", limit=1000)["data"]]
    assert any(m.startswith("Job paused after epoch") for m in messages)
    assert any(m.startswith("Resumed after epoch") for m in messages)


def test_a_killed_classifier_training_resumes_from_its_last_epoch(server, tiny_bert):
    job = _queue_text_run(tiny_bert, epochs=30)
    row = wait_for(lambda: (r := _row(server.home, job["id"]))["pid"] and r["run_dir"]
                   and (Path(r["run_dir"]) / "checkpoints" / "resume" / "state.json").is_file() and r, 120,
                   what="a classifier job with a saved epoch")
    os.kill(row["pid"], signal.SIGKILL)
    done = _finished(server, job["id"])
    assert done["status"] == "succeeded", done["error"]
    messages = [e["message"] for e in _get(server, f"/v1/afinar/jobs/{job['id']}/events", limit=1000)["data"]]
    assert any("stopped unexpectedly (signal 9)" in m and "restarting from its checkpoint" in m for m in messages)
    assert any(m.startswith("Resumed after epoch") for m in messages)
    _steps_once(row["run_dir"])
    assert _epochs_done(row["run_dir"]) == 30


def _resume_step(run_dir: str) -> int:
    state = Path(run_dir) / "checkpoints" / "resume" / "state.json"
    return json.loads(state.read_text(encoding="utf-8"))["step"] if state.is_file() else 0


def test_an_image_job_pauses_resumes_and_restarts_from_its_last_epoch_when_killed(server, tmp_path):
    job = _queue_image_run(tmp_path, epochs=40)
    row = wait_for(lambda: (r := _row(server.home, job["id"]))["pid"] and r["run_dir"]
                   and _resume_step(r["run_dir"]) and r, 120, what="an image job with a saved epoch")
    paused = httpx.post(f"{server.url}/v1/afinar/jobs/{job['id']}/pause", timeout=30)
    assert paused.status_code == 200, paused.text
    paused = wait_for(lambda: (r := _row(server.home, job["id"]))["status"] == "paused" and r["pid"] is None and r,
                      90, what="the pause to be saved")
    at = _resume_step(row["run_dir"])
    assert 1 <= _epochs_done(row["run_dir"]) < 41
    out = _cli(server.home, "resume", job["id"])
    assert out.returncode == 0, out.stderr
    row = wait_for(lambda: (r := _row(server.home, job["id"]))["pid"] and r["status"] == "running"
                   and _resume_step(r["run_dir"]) > at and r, 120, what="the resumed job to save another epoch")
    os.kill(row["pid"], signal.SIGKILL)
    done = _finished(server, job["id"])
    assert done["status"] == "succeeded", done["error"]
    messages = [e["message"] for e in _get(server, f"/v1/afinar/jobs/{job['id']}/events", limit=1000)["data"]]
    assert any(m.startswith("Job paused after epoch") for m in messages)
    assert any("stopped unexpectedly (signal 9)" in m and "restarting from its checkpoint at step" in m
               for m in messages)
    assert sum(m.startswith("Resumed after stage 1") for m in messages) == 2
    _steps_once(row["run_dir"])
    rows = [json.loads(line) for line in (Path(row["run_dir"]) / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    epochs = [(r["stage"], r["epoch"]) for r in rows if r["kind"] == "epoch"]
    assert epochs == sorted(set(epochs)) and epochs[-1][0] == 2  # each epoch once (early stop may end stage 1)


def test_a_classifier_job_outlives_a_killed_server(servers, tiny_bert):
    first = servers.start()
    job = _queue_text_run(tiny_bert, epochs=40)
    row = wait_for(lambda: (r := _row(first.home, job["id"]))["pid"] and r["run_dir"]
                   and _epochs_done(r["run_dir"]) >= 1 and r, 120, what="a running classifier job")
    os.kill(first.proc.pid, signal.SIGKILL)  # the server only: its training goes on
    first.proc.wait(timeout=10)
    second = servers.start()
    second.groups.append(first.proc.pid)
    done = _finished(second, job["id"])
    assert done["status"] == "succeeded", done["error"]
    messages = [e["message"] for e in _get(second, f"/v1/afinar/jobs/{job['id']}/events", limit=1000)["data"]]
    assert not any("stopped unexpectedly" in m for m in messages)  # adopted, not restarted
    _steps_once(row["run_dir"])


def test_job_listing_by_task_and_bad_task(server):
    assert _get(server, "/v1/afinar/jobs", task="chat")["data"] == []
    bad = httpx.get(f"{server.url}/v1/afinar/jobs", params={"task": "regression"}, timeout=30)
    assert bad.status_code == 400 and "text-classification" in bad.json()["error"]["message"]
    assert bad.json()["error"]["param"] == "task"

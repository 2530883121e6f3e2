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
    assert code == 0 and "No fine-tuning jobs yet" in out
    model = tiny_chat.build(tmp_path / "tiny")
    service = Service(start_worker=False)
    f = service.upload_file(TRAIN, "train.jsonl")
    job = service.create_job({"training_file": f["id"], "model": str(model), "suffix": "cli"})

    code, out, _ = run_cli("jobs", "list", "--json")
    assert code == 0 and [j["id"] for j in json.loads(out)["data"]] == [job["id"]]
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

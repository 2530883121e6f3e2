"""The registry of runs answers from the jobs database: a model id names its job (one lookup, also
for a job still training); run folders from before runs were jobs are adopted once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def _run(folder: Path, model_id: str, status: str, **meta: object) -> Path:
    from afinar.engine.rundir import RunDir

    run = RunDir.create(folder)
    run.write_config({"model": "tiny", "data": "/x/train.jsonl", "seed": 1})
    run.update_meta(task="chat", status=status, job_id="ftjob-" + model_id.rsplit(":", 1)[-1], model_id=model_id,
                    finished_at=100, **meta)
    return run.path


def test_old_run_folders_are_adopted_once_and_found_by_their_model_id(afinar_home: Path, tmp_path: Path) -> None:
    from afinar.jobs import runs

    done = _run(afinar_home / "runs" / "ftjob-aaa111", "ft:tiny:afinar:uno:aaa111", "succeeded")
    elsewhere = _run(tmp_path / "salida", "ft:tiny:afinar:dos:bbb222", "succeeded")
    (afinar_home / "runs" / "ftjob-bbb222.json").write_text(json.dumps({"path": str(elsewhere)}))
    _run(afinar_home / "runs" / "ftjob-ccc333", "ft:tiny:afinar:tres:ccc333", "running")  # died long ago
    assert runs.find_run("ft:tiny:afinar:uno:aaa111:ckpt-step-4") == done.resolve()
    assert runs.find_run("ft:tiny:afinar:dos:bbb222") == elsewhere.resolve()
    assert runs.find_run("ft:tiny:afinar:tres:ccc333") is not None  # its checkpoints stay usable
    assert runs.find_run("ft:tiny:afinar:uno:fff999") is None and runs.find_run("tiny") is None
    assert sorted(m for m, _, _ in runs.finished_chat_runs()) == ["ft:tiny:afinar:dos:bbb222", "ft:tiny:afinar:uno:aaa111"]
    failed = runs.store().get_job("ftjob-ccc333")
    assert failed["status"] == "failed" and failed["error"]["code"] == "adopted"
    # once: a folder added later is not scanned for; adopt_run records it
    late = _run(afinar_home / "runs" / "ftjob-ddd444", "ft:tiny:afinar:cuatro:ddd444", "succeeded")
    assert runs.find_run("ft:tiny:afinar:cuatro:ddd444") is None
    assert runs.adopt_run(late) == "ftjob-ddd444" and runs.adopt_run(late) is None
    assert runs.find_run("ft:tiny:afinar:cuatro:ddd444") == late.resolve()


def test_a_deleted_model_is_no_longer_listed(afinar_home: Path) -> None:
    from afinar.engine.rundir import RunDir
    from afinar.jobs import runs

    path = _run(afinar_home / "runs" / "ftjob-eee555", "ft:tiny:afinar:cinco:eee555", "succeeded")
    assert [m for m, _, _ in runs.finished_chat_runs()] == ["ft:tiny:afinar:cinco:eee555"]
    RunDir(path).update_meta(status="deleted")
    assert runs.finished_chat_runs() == []

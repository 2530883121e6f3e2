"""A process following a training reads its metrics.jsonl as it grows, and survives the rewrite a
resume makes (the file replaced by the rows up to the checkpoint, then appended to again)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def test_a_rewritten_metrics_file_is_read_anew_never_from_the_middle_of_a_line(tmp_path: Path) -> None:
    from afinar.engine.rundir import RunDir
    from afinar.engine.subprocess_run import forward_metrics

    run = RunDir.create(tmp_path / "run")
    for step in range(1, 9):
        run.log_metrics(step=step, train_loss=1.0 / step, note="x" * step)
    seen_records: list[dict] = []
    seen = forward_metrics(run, 0, seen_records.append)
    assert [r["step"] for r in seen_records] == list(range(1, 9))
    run.keep_metrics_through(4)  # what a resume from checkpoint 4 does first
    run.log_metrics(step=5, train_loss=0.2, note="again" * 60)  # the new file outgrows the old offset
    data = (run.path / "metrics.jsonl").read_bytes()
    assert len(data) > seen and data[seen - 1:seen] != b"\n"  # the old offset falls mid-line
    later: list[dict] = []
    seen = forward_metrics(run, seen, later.append)
    assert [r["step"] for r in later] == [1, 2, 3, 4, 5]
    run.log_metrics(step=6, train_loss=0.1)
    newest: list[dict] = []
    forward_metrics(run, seen, newest.append)
    assert [r["step"] for r in newest] == [6]
    assert json.loads((run.path / "metrics.jsonl").read_text().splitlines()[-1])["step"] == 6

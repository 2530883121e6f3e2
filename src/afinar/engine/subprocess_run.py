"""Both sides of a task's training subprocess, shared by the tasks.

The child side (``child_main``) is ``python -m MODULE RUN_DIR [--resume]``: it records its status,
pid, failure or success in the run's ``meta.json``. The parent side is the job runner
(``afinar.jobs``), which starts it and reads what it wrote; ``forward_metrics`` hands it the new
``metrics.jsonl`` records. Nothing here imports torch.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError

POLL_SECONDS = 0.25


def forward_metrics(run: RunDir, seen: int, on_progress: Callable[[dict[str, Any]], None]) -> int:
    """Hand the complete ``metrics.jsonl`` lines after byte ``seen`` to ``on_progress``; the new offset.

    A resumed training rewrites the file with only the steps up to its checkpoint
    (``RunDir.keep_metrics_through``): when ``seen`` is no longer the start of a line in it, the
    file is read anew from its first line (a step may then be handed on twice; never half a line)."""
    path = run.path / "metrics.jsonl"
    if not path.exists():
        return seen
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        if seen > size or (seen and (fh.seek(seen - 1) is not None and fh.read(1) != b"\n")):
            seen = 0
        fh.seek(seen)
        chunk = fh.read()
    complete = chunk[:chunk.rfind(b"\n") + 1]
    for line in complete.splitlines():
        if line.strip():
            on_progress(json.loads(line))
    return seen + len(complete)


class Paused(Exception):
    """Raised by a training that saved its state and recorded ``status: paused`` in ``meta.json``."""


def child_main(module: str, argv: list[str] | None, train: Callable[..., dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any]],
               attach: Callable[[RunDir], Any] | None = None) -> int:
    """The child side: ``python -m MODULE RUN_DIR [--resume]`` marks the run running, trains it
    (``train(run, resume=...)``), and records either the failure (message and hint of an
    AfinarError, or the exception) or success with the fields ``summary(result)`` picks for
    ``meta.json``. A training that raises ``Paused`` exits 0 with its ``paused`` status. ``attach(run)``
    is called first (``afinar.jobs.child.attach``: the run's events go to its job's record)."""
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    resume = "--resume" in args
    args = [a for a in args if a != "--resume"]
    if len(args) != 1:
        print(f"usage: python -m {module} RUN_DIR [--resume]", file=sys.stderr)
        return 2
    run = RunDir(Path(args[0]))
    if attach is not None:
        attach(run)
    run.update_meta(status="running", pid=os.getpid(), started_at=int(time.time()))
    try:
        result = train(run, resume=resume)
    except Paused:
        return 0
    except AfinarError as err:
        run.update_meta(status="failed", error=err.message(), error_hint=err.hint(), finished_at=int(time.time()))
        raise
    except BaseException as err:
        run.update_meta(status="failed", error=f"{type(err).__name__}: {err}", finished_at=int(time.time()))
        raise
    run.update_meta(status="succeeded", finished_at=int(time.time()), error=None, **summary(result))
    return 0

"""Running a task's training subprocess and following it, shared by the classification tasks.

The parent starts ``python -m MODULE RUN_DIR`` (never through a shell) with its output in the run's
``train.log``, forwards every new ``metrics.jsonl`` record to ``on_progress`` while it runs, and
turns a failure into an ``AfinarError`` with the reason the child recorded in ``meta.json`` (or its
exit code when it could not record one). Ctrl-C stops the child and marks the run cancelled.
Nothing here imports torch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from afinar import i18n
from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError

POLL_SECONDS = 0.25


def run_training(run: RunDir, module: str, on_progress: Callable[[dict[str, Any]], None], *,
                 message_prefix: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Train ``run`` with ``python -m module``; returns the final ``meta.json``. Failure messages
    are ``{message_prefix}.exit_code`` and ``{message_prefix}.failed`` from the message catalog."""
    child_env = dict(os.environ, AFINAR_LANG=i18n.get_lang(), PYTHONUNBUFFERED="1", **(env or {}))
    seen = 0
    with open(run.path / "train.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", module, str(run.path)], stdout=log,
                                   stderr=subprocess.STDOUT, env=child_env, stdin=subprocess.DEVNULL)
        try:
            while True:
                code = process.poll()
                seen = forward_metrics(run, seen, on_progress)
                if code is not None:
                    break
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            run.update_meta(status="cancelled", finished_at=int(time.time()))
            raise
    meta = run.read_meta()
    if code != 0 or meta.get("status") != "succeeded":
        reason = meta.get("error") or i18n.t(f"{message_prefix}.exit_code", code=code)
        if meta.get("status") != "failed":
            meta = run.update_meta(status="failed", error=reason, finished_at=int(time.time()))
        raise AfinarError(f"{message_prefix}.failed", reason=reason, log=str(run.path / "train.log"))
    return meta


def forward_metrics(run: RunDir, seen: int, on_progress: Callable[[dict[str, Any]], None]) -> int:
    """Hand the complete ``metrics.jsonl`` lines after byte ``seen`` to ``on_progress``; the new offset."""
    path = run.path / "metrics.jsonl"
    if not path.exists():
        return seen
    with open(path, "rb") as fh:
        fh.seek(seen)
        chunk = fh.read()
    complete = chunk[:chunk.rfind(b"\n") + 1]
    for line in complete.splitlines():
        if line.strip():
            on_progress(json.loads(line))
    return seen + len(complete)


def child_main(module: str, argv: list[str] | None, train: Callable[[RunDir], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """The child side: ``python -m MODULE RUN_DIR`` marks the run running, trains it, and records
    either the failure (message and hint of an AfinarError, or the exception) or success with the
    fields ``summary(result)`` picks for ``meta.json``."""
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(f"usage: python -m {module} RUN_DIR", file=sys.stderr)
        return 2
    run = RunDir(Path(args[0]))
    run.update_meta(status="running", pid=os.getpid(), started_at=int(time.time()))
    try:
        result = train(run)
    except AfinarError as err:
        run.update_meta(status="failed", error=err.message(), error_hint=err.hint(), finished_at=int(time.time()))
        raise
    except BaseException as err:
        run.update_meta(status="failed", error=f"{type(err).__name__}: {err}", finished_at=int(time.time()))
        raise
    run.update_meta(status="succeeded", finished_at=int(time.time()), error=None, **summary(result))
    return 0

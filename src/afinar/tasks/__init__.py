"""The task registry. Each task is a package with the same four modules (config, data, train,
predict) and is listed here once; commands look tasks up by name instead of branching on them.

A run directory's ``meta.json`` records its task, so ``afinar predict RUN`` finds the right
package without being told.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from afinar.errors import AfinarError

# task name -> package. Packages import torch lazily, so listing tasks stays cheap.
TASKS: dict[str, str] = {
    "chat": "afinar.tasks.chat",
    "text-classification": "afinar.tasks.text_classification",
    "image-classification": "afinar.tasks.image_classification",
}


def task_module(task: str, part: str) -> ModuleType:
    """``part`` (config, data, train or predict) of the package of ``task``."""
    if task not in TASKS:
        raise KeyError(f"unknown task {task!r}; known: {sorted(TASKS)}")
    return import_module(f"{TASKS[task]}.{part}")


def load_run(run_dir: Path, action: str, part: str, entry: str) -> tuple[dict[str, Any], Any]:
    """The run's meta and its task's ``part`` module, which must define ``entry``; errors say what
    is wrong with the folder."""
    from importlib.util import find_spec

    from afinar.engine.rundir import RunDir

    meta = RunDir(run_dir).read_meta() if run_dir.is_dir() else {}
    task = meta.get("task")
    if not task:
        raise AfinarError("predict.not_a_run", path=str(run_dir))
    able = [t for t in TASKS if find_spec(TASKS[t]) is not None and find_spec(f"{TASKS[t]}.{part}") is not None]
    module = task_module(task, part) if task in able else None
    if module is None or not hasattr(module, entry):
        able = [t for t in able if hasattr(task_module(t, part), entry)]
        raise AfinarError("predict.unknown_task", path=str(run_dir), task=task, action=action,
                          tasks=", ".join(able) or "-")
    if meta.get("status") != "succeeded":
        raise AfinarError("predict.not_finished", path=str(run_dir), status=meta.get("status", "?"))
    return meta, module

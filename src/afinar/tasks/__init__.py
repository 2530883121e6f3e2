"""The task registry. Each task is a package with the same four modules (config, data, train,
predict) and is listed here once; commands look tasks up by name instead of branching on them.

A run directory's ``meta.json`` records its task, so ``afinar predict RUN`` finds the right
package without being told.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

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

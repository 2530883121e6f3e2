"""The task registry. Each task is a package with the same four modules (config, data, train,
predict) and is listed here once; commands look tasks up by name instead of branching on them,
and the job runner gets each task's ``TaskJob`` entry from ``job_tasks()`` (every task above, and
RAG indexing, ``rag-index``).

A run directory's ``meta.json`` records its task, so ``afinar predict RUN`` finds the right
package without being told.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from afinar.errors import AfinarError
from afinar.jobs.registry import TaskJob

# task name -> package. Packages import torch lazily, so listing tasks stays cheap.
TASKS: dict[str, str] = {
    "chat": "afinar.tasks.chat",
    "text-classification": "afinar.tasks.text_classification",
    "image-classification": "afinar.tasks.image_classification",
}


RAG_INDEX = "rag-index"


def rag_index_hyperparameters(config: dict[str, Any]) -> dict[str, Any]:
    """What an indexing job shows: its knowledge base and the settings its chunks were cut with."""
    keep = ("knowledge_base", "chunk_size", "chunk_overlap")
    return {k: config[k] for k in keep if k in config}


def job_tasks() -> dict[str, TaskJob]:
    """Every task as the job runner starts it (nothing heavy is imported)."""
    import os

    from afinar.tasks.chat import prepare as chat

    def chat_launch(run: Any, resume: bool) -> Any:
        return chat.launch(run, resume=resume, quiet=True)

    def classifier_hyperparameters(config: dict[str, Any]) -> dict[str, Any]:
        keep = ("epochs", "lr", "batch_size", "stage1_epochs", "stage2_epochs", "stage1_lr", "stage2_lr")
        return {k: config[k] for k in keep if k in config}

    entries = [
        TaskJob("chat", f"{TASKS['chat']}.train", resumable=True, pausable=True, prepare=chat.prepare_job,
                hyperparameters=chat.shown_hyperparameters, launcher=chat_launch),
        TaskJob("text-classification", f"{TASKS['text-classification']}.train", resumable=True, pausable=True,
                hyperparameters=classifier_hyperparameters,
                env={"TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}),
        TaskJob("image-classification", f"{TASKS['image-classification']}.train", resumable=True, pausable=True,
                hyperparameters=classifier_hyperparameters),
        # RAG indexing (afinar.rag.index_job, named, not imported: afinar.rag sits above the tasks) is
        # no training task: no TASKS package, no checkpoints. A re-run skips the files already
        # indexed, so restarting it from the beginning resumes it.
        TaskJob(RAG_INDEX, "afinar.rag.index_job", resumable=False, pausable=False,
                hyperparameters=rag_index_hyperparameters, died="rag.index.died", rerun_resumes=True,
                process="indexing",
                env={"TOKENIZERS_PARALLELISM": "false"}),
    ]
    return {entry.name: entry for entry in entries}


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

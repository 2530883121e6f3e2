"""Fine-tuned model ids, OpenAI style: ``ft:BASE:afinar:SUFFIX:JOBID`` (checkpoints add
``:ckpt-step-N``). Finding the run folder behind one is the job registry's
(``afinar.jobs.runs``). No torch here."""

from __future__ import annotations

import secrets
from pathlib import Path

from afinar.paths import afinar_home

ORG = "afinar"


def new_job_id() -> str:
    return "ftjob-" + secrets.token_hex(6)


def model_id(base: str, job_id: str, suffix: str | None) -> str:
    base_name = base.rstrip("/").split("/")[-1]
    return f"ft:{base_name}:{ORG}:{suffix or 'custom'}:{job_id.removeprefix('ftjob-')}"


def checkpoint_model_id(model: str, step: int) -> str:
    return f"{model}:ckpt-step-{step}"


def runs_dir() -> Path:
    return afinar_home() / "runs"


def split_checkpoint(model: str) -> tuple[str, int | None]:
    """``ft:...:ckpt-step-12`` → (``ft:...``, 12); any other id → (id, None)."""
    head, _, tail = model.rpartition(":ckpt-step-")
    if head and tail.isdigit():
        return head, int(tail)
    return model, None

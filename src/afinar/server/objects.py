"""OpenAI-shaped JSON objects built from our records (field names and nullability from the spec)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ORGANIZATION = "org-afinar"


def file_object(rec: dict[str, Any]) -> dict[str, Any]:
    out = {"id": rec["id"], "object": "file", "bytes": rec["bytes"], "created_at": rec["created_at"],
           "filename": rec["filename"], "purpose": rec["purpose"], "status": rec["status"]}
    if rec.get("status_details"):
        out["status_details"] = rec["status_details"]
    return out


def hyperparameters(job: dict[str, Any]) -> dict[str, Any]:
    hp = job["hyperparameters"] or {}
    out = {"n_epochs": hp.get("n_epochs", "auto"), "batch_size": hp.get("batch_size", "auto"),
           "learning_rate_multiplier": hp.get("learning_rate_multiplier", "auto")}
    if "beta" in hp:  # a DPO job
        out["beta"] = hp["beta"]
    return out


def method_of(job: dict[str, Any], hp: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's ``method``: supervised, or dpo (a DPO job's hyperparameters hold ``beta``)."""
    kind = "dpo" if "beta" in hp else "supervised"
    return {"type": kind, kind: {"hyperparameters": hp}}


def job_object(job: dict[str, Any]) -> dict[str, Any]:
    hp = hyperparameters(job)
    return {
        "object": "fine_tuning.job",
        "id": job["id"],
        "created_at": job["created_at"],
        "error": job["error"],
        "fine_tuned_model": job["fine_tuned_model"],
        "finished_at": job["finished_at"],
        "hyperparameters": {k: v for k, v in hp.items() if k != "beta"},  # the deprecated field: supervised's
        "model": job["model"],
        "organization_id": ORGANIZATION,
        "result_files": job["result_files"] or [],
        "status": job["status"],
        "trained_tokens": job["trained_tokens"],
        "training_file": job["training_file"],
        "validation_file": job["validation_file"],
        "integrations": [],
        "seed": job["seed"],
        "estimated_finish": job["estimated_finish"],
        "method": method_of(job, hp),
        "metadata": job["metadata"],
    }


def afinar_job_object(job: dict[str, Any]) -> dict[str, Any]:
    """A job of any task on Afinar's own routes (``/v1/afinar/jobs``; docs/serve.md)."""
    return {
        "object": "afinar.job",
        "id": job["id"],
        "task": job["task"],
        "status": job["status"],
        "created_at": job["created_at"],
        "finished_at": job["finished_at"],
        "model": job["model"],
        "fine_tuned_model": job["fine_tuned_model"],
        "training_file": job["training_file"],
        "hyperparameters": job["hyperparameters"] or {},
        "error": job["error"],
        "estimated_finish": job["estimated_finish"],
        "run": Path(job["run_dir"]).name if job["run_dir"] else None,
    }


def event_object(ev: dict[str, Any]) -> dict[str, Any]:
    return {"object": "fine_tuning.job.event", "id": ev["id"], "created_at": ev["created_at"],
            "level": ev["level"], "message": ev["message"], "type": ev["type"], "data": ev["data"] or {}}


def model_object(model_id: str, created: int, owned_by: str, task: str = "chat") -> dict[str, Any]:
    """OpenAI's model object, with Afinar's ``task`` (chat, embedding or rag)."""
    return {"id": model_id, "object": "model", "created": int(created), "owned_by": owned_by, "task": task}


def page(items: list[dict[str, Any]], has_more: bool, *, with_ids: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"object": "list", "data": items, "has_more": has_more}
    if with_ids:
        out["first_id"] = items[0]["id"] if items else None
        out["last_id"] = items[-1]["id"] if items else None
    return out

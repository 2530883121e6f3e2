"""Fine-tuned model ids, OpenAI style: ``ft:BASE:afinar:SUFFIX:JOBID`` (checkpoints add
``:ckpt-step-N``), and finding the run directory behind one. No torch here."""

from __future__ import annotations

import json
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


def register_run(job_id: str, path: Path) -> None:
    """Runs written outside runs_dir() (``--output``) leave a pointer there, so ids still resolve."""
    root = runs_dir()
    if path.resolve().parent == root.resolve():
        return
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{job_id}.json").write_text(json.dumps({"path": str(path.resolve())}) + "\n", encoding="utf-8")


def _candidates(root: Path) -> list[Path]:
    metas = list(root.glob("*/meta.json"))
    for pointer in root.glob("*.json"):
        try:
            target = Path(json.loads(pointer.read_text(encoding="utf-8"))["path"]) / "meta.json"
        except (OSError, json.JSONDecodeError, KeyError, TypeError):
            continue  # not a pointer file
        if target.is_file():
            metas.append(target)
    return metas


def find_run(model: str, roots: list[Path] | None = None) -> Path | None:
    """The run directory whose meta.json names ``model`` (without a checkpoint part)."""
    wanted, _ = split_checkpoint(model)
    for root in roots or [runs_dir()]:
        if not root.is_dir():
            continue
        for meta in _candidates(root):
            try:
                if json.loads(meta.read_text(encoding="utf-8")).get("model_id") == wanted:
                    return meta.parent
            except (OSError, json.JSONDecodeError):
                continue  # a run being written right now; it cannot be the one asked for yet
    return None


def finished_chat_runs() -> list[tuple[str, Path, dict]]:
    """(model id, run folder, meta) of every succeeded chat run under runs_dir(), newest first."""
    root = runs_dir()
    out = []
    if root.is_dir():
        for meta_path in _candidates(root):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if meta.get("task", "chat") == "chat" and meta.get("status") == "succeeded" and meta.get("model_id"):
                out.append((meta["model_id"], meta_path.parent, meta))
    return sorted(out, key=lambda r: r[2].get("finished_at") or 0, reverse=True)

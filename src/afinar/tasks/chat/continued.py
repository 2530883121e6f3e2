"""Continued fine-tuning: a run whose base is an ``ft:`` model (or one of its ``:ckpt-step-N``
checkpoints) starts from that model's weights, as OpenAI allows.

The model is loaded exactly as ``afinar chat`` loads it (a LoRA adapter merged into its base), and
saved once, as safetensors with its tokenizer, into the new run's ``base/`` folder; that folder is
the new run's base from then on, so the run does not depend on the earlier one staying around.
The new model is named after the original base (``ft:BASE:afinar:SUFFIX:JOB``), like OpenAI's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASE_FOLDER = "base"


def is_fine_tuned(spec: str) -> bool:
    return spec.startswith("ft:")


def source_meta(spec: str) -> dict[str, Any]:
    """meta.json of the run behind ``spec`` (AfinarError when it is unknown, unfinished or deleted)."""
    from afinar.tasks.chat.predict import locate

    target = locate(spec)
    return json.loads((target.run_dir / "meta.json").read_text(encoding="utf-8"))


def root_base(meta: dict[str, Any]) -> str:
    """The first base of a chain of continued runs (what the new model id is named after)."""
    return str(meta.get("root_base") or meta.get("base_model") or "custom")


def write_base(spec: str, folder: Path) -> Path:
    """Save the weights of ``spec`` (merged) and its tokenizer into ``folder``."""
    from afinar.tasks.chat.predict import load

    model, tokenizer, _ = load(spec)
    folder.mkdir(parents=True, exist_ok=False)
    model.save_pretrained(str(folder), safe_serialization=True)
    tokenizer.save_pretrained(str(folder))
    return folder

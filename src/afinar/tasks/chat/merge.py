"""``--merge``: the base model with a run's LoRA adapter folded in, as a standalone folder."""

from __future__ import annotations

from pathlib import Path

from afinar.engine.rundir import RunDir


def merge_run(run: RunDir) -> Path:
    from afinar.tasks.chat.predict import load

    model, tokenizer, _ = load(str(run.path))
    target = run.final_dir / "merged"
    model.save_pretrained(str(target), safe_serialization=True)
    tokenizer.save_pretrained(str(target))
    run.update_meta(merged_path=str(target))
    return target

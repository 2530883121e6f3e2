"""The model card (README.md in Hugging Face's format) every chat run leaves behind."""

from __future__ import annotations

import json
from typing import Any

import yaml

from afinar.engine.rundir import RunDir
from afinar.tasks.chat.config import ADAPTER_METHODS, DPO_METHODS


def _last(metrics: list[dict], key: str) -> Any:
    values = [m[key] for m in metrics if key in m]
    return values[-1] if values else None


def _check_lines(check: dict[str, Any] | None) -> list[str]:
    if not check:
        return []
    rate = "not measured" if check.get("nonword_rate") is None else f"{check['nonword_rate']:.1%}"
    return [f"- end-of-job check ({check['eval_checks']} {check['eval_source']} questions, `evaluation.json`): "
            f"{check['facts_recalled']}/{check['facts_total']} expected facts stated, non-word rate {rate}"]


def write_model_card(run: RunDir, cfg: Any, meta: dict[str, Any]) -> None:
    metrics = run.metrics()
    header = {
        "base_model": meta.get("base_model", cfg.model),
        "library_name": "peft" if cfg.method in ADAPTER_METHODS else "transformers",
        "license": meta.get("base_license") or "other",
        "tags": ["afinar", "dpo" if cfg.method in DPO_METHODS else "sft", cfg.method, "chat"],
        "model-index": [{"name": cfg.model_id, "results": []}],
    }
    hyper = {"method": cfg.method, "epochs": cfg.epochs, "batch_size": cfg.batch_size,
             "learning_rate": cfg.learning_rate, "lr_multiplier": cfg.lr_multiplier, "seed": cfg.seed,
             "max_length": cfg.max_length, "processes": cfg.nproc, "fsdp": cfg.fsdp}
    if cfg.method in DPO_METHODS:
        hyper["beta"] = cfg.beta
    if cfg.method in ADAPTER_METHODS:
        hyper.update(lora_r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                     target_modules="all-linear")
    lines = [
        "---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True).strip(), "---", "",
        f"# {cfg.model_id}", "",
        f"Fine-tuned locally with Afinar from `{cfg.model}` on "
        f"{cfg.train_examples} {'preference pairs (DPO)' if cfg.method in DPO_METHODS else 'chat examples'} "
        f"({cfg.valid_examples} held out for validation).", "",
        "## Data", "",
        f"- training file: `{cfg.data}` (sha256 `{meta.get('train_sha256', '?')}`)",
        f"- examples: {cfg.train_examples} train, {cfg.valid_examples} validation",
        f"- loss on assistant tokens only; `weight: 0` messages skipped; "
        f"chat template: {'ChatML fallback' if meta.get('chat_template_fallback') else 'the base model’s own'}",
        "", "## Hyperparameters", "", "```json", json.dumps(hyper, indent=2), "```", "",
        "## Results", "",
        f"- trained tokens: {meta.get('trained_tokens')}",
        f"- final training loss: {_last(metrics, 'train_loss')}",
        f"- final validation loss: {_last(metrics, 'valid_loss')}",
        f"- full validation loss: {meta.get('full_valid_loss')}",
        *_check_lines(meta.get("evaluation")),
        "", "Per-step metrics: `metrics.jsonl` and `results.csv` beside this card.", "",
        "## Use", "", "```bash", f"afinar chat -m {cfg.model_id} -p \"...\"", "```", "",
    ]
    (run.path / "README.md").write_text("\n".join(lines), encoding="utf-8")

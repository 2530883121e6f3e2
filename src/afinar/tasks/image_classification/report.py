"""The end-of-run report: written once both stages have kept their best epoch.

Files in the run folder:

- ``report.json``: labels, sizes, each stage's best epoch, validation accuracy and loss, time and
  images/s (``stages``), the final validation metrics (``final``: accuracy, per-class
  precision/recall/F1, confusion matrix), the majority-class baseline (always the most frequent training class), every epoch (``history``),
  overfitting warnings;
- ``curves.png``, ``confusion_matrix.png``, ``mistakes.png`` (``plots``);
- ``valid_predictions.csv``: every validation picture with its label, prediction and confidence;
- ``README.md`` (also in ``final/``): the model card.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from afinar.engine.rundir import RunDir
from afinar.evaluate import plots
from afinar.tasks.image_classification import card
from afinar.tasks.image_classification.config import ImageClassificationConfig
from afinar.tasks.image_classification.data import Items
from afinar.tasks.text_classification import metrics


def _stage_summary(result: Any) -> dict[str, Any]:
    best = result.best
    return {"stage": result.stage, "epochs_run": len(result.history), "best_epoch": best["epoch"],
            "lr": best["lr"], "accuracy": best["accuracy"], "valid_loss": best["valid_loss"],
            "train_loss": best["train_loss"], "seconds": round(result.seconds, 2),
            "images_per_s": round(result.images_per_s, 1), "stopped_early": result.stopped_early}


def mistakes(valid: Items, probs: list[list[float]], labels: list[str]) -> list[dict[str, Any]]:
    """Wrong predictions, most confident first."""
    wrong = []
    for path, label, row in zip(valid.paths, valid.labels, probs):
        top = max(range(len(row)), key=row.__getitem__)
        if labels[top] != label:
            wrong.append({"path": path, "label": label, "predicted": labels[top], "confidence": row[top]})
    return sorted(wrong, key=lambda m: -m["confidence"])


def write(run: RunDir, cfg: ImageClassificationConfig, meta: dict[str, Any], valid: Items, valid_ids: list[int],
          results: list[Any], *, train_seconds: float, device: str) -> dict[str, Any]:
    labels: list[str] = meta["labels"]
    last = results[-1]
    probs = last.best["probs"].tolist()
    history = [row for r in results for row in r.history]
    warnings = [r for r in run.metrics() if r.get("kind") == "warning"]
    counts = meta.get("train_counts") or {}
    majority = labels.index(min(counts, key=lambda k: (-counts[k], k))) if counts else 0
    result = {
        "labels": labels,
        "train_examples": meta.get("train_examples"),
        "valid_examples": len(valid),
        "valid_from": meta.get("valid_from"),
        "stages": [_stage_summary(r) for r in results],
        "final": metrics.evaluate(valid_ids, probs, labels),
        "baselines": {"majority": metrics.scores(valid_ids, [majority] * len(valid_ids), labels)},
        "history": history,
        "overfitting": [{k: w[k] for k in ("stage", "epoch", "train_loss", "valid_loss")} for w in warnings],
        "train_seconds": round(train_seconds, 2),
        "device": device,
    }
    (run.path / "report.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    plots.stage_curves_png(history, run.path / "curves.png")
    plots.confusion_png(result["final"]["confusion_matrix"], labels, run.path / "confusion_matrix.png",
                        f"validation, stage {last.stage}")
    plots.mistakes_png(mistakes(valid, probs, labels), run.path / "mistakes.png")
    _predictions_csv(run.path / "valid_predictions.csv", valid, probs, labels)
    model_card = card.model_card(meta, result, cfg.model_dump(mode="json"))
    (run.final_dir / "README.md").write_text(model_card, encoding="utf-8")
    (run.path / "README.md").write_text(model_card, encoding="utf-8")
    return result


def _predictions_csv(path: Path, valid: Items, probs: list[list[float]], labels: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "label", "predicted", "confidence"])
        for image, label, row in zip(valid.paths, valid.labels, probs):
            top = max(range(len(row)), key=row.__getitem__)
            writer.writerow([image, label, labels[top], f"{row[top]:.4f}"])

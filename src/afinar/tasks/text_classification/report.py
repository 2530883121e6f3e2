"""The end-of-run report: written once training has picked its best epoch.

Files in the run folder:

- ``report.json``: labels, sizes, best epoch, the best epoch's validation metrics (``final``),
  the baselines on the same split, per-epoch history, training time;
- ``confusion_matrix.png`` and ``curves.png`` (``plots``);
- ``valid_predictions.csv``: every validation text with its true label, prediction and confidence;
- ``README.md`` (also in ``final/``): the model card.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from afinar.engine.rundir import RunDir
from afinar.evaluate import plots
from afinar.tasks.text_classification import baselines, card
from afinar.tasks.text_classification.config import TextClassificationConfig
from afinar.tasks.text_classification.data import Examples


def write(run: RunDir, cfg: TextClassificationConfig, meta: dict[str, Any], train: Examples, valid: Examples,
          train_ids: list[int], valid_ids: list[int], best: dict[str, Any], history: list[dict[str, Any]],
          *, train_seconds: float, device: str) -> dict[str, Any]:
    labels: list[str] = meta["labels"]
    result = {
        "labels": labels,
        "train_examples": len(train),
        "valid_examples": len(valid),
        "valid_from": meta.get("valid_from"),
        "best_epoch": best["epoch"],
        "epochs_run": len(history),
        "final": best["scores"],
        "baselines": baselines.all_baselines(train.texts, train_ids, valid.texts, valid_ids, labels, cfg.seed),
        "history": history,
        "train_seconds": round(train_seconds, 2),
        "device": device,
    }
    (run.path / "report.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    plots.confusion_png(best["scores"]["confusion_matrix"], labels, run.path / "confusion_matrix.png",
                        f"validation, epoch {best['epoch']}")
    plots.curves_png(history, run.path / "curves.png")
    _predictions_csv(run.path / "valid_predictions.csv", valid, best["probs"], labels)
    model_card = card.model_card(meta, result, cfg.model_dump(mode="json"))
    (run.final_dir / "README.md").write_text(model_card, encoding="utf-8")
    (run.path / "README.md").write_text(model_card, encoding="utf-8")
    return result


def _predictions_csv(path: Path, valid: Examples, probs: list[list[float]], labels: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "predicted", "confidence"])
        for text, label, row in zip(valid.texts, valid.labels, probs):
            top = max(range(len(row)), key=row.__getitem__)
            writer.writerow([text, label, labels[top], f"{row[top]:.4f}"])

"""The report's pictures (matplotlib, Agg backend: no display needed).

- ``curves.png``: training and validation loss and validation accuracy over the epochs of both
  stages, one continuous x axis, a dashed line where stage 2 (fine-tuning) starts — the course's
  picture of what fine-tuning adds;
- ``mistakes.png``: the validation pictures the model got wrong with the highest confidence, each
  titled with its true label, the predicted one and the confidence;
- ``confusion_matrix.png``: drawn by ``afinar.tasks.text_classification.plots.confusion_png``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from afinar.tasks.text_classification.plots import _pyplot

MAX_MISTAKES = 16


def curves_png(history: list[dict[str, Any]], path: Path) -> Path:
    plt = _pyplot()
    xs = list(range(1, len(history) + 1))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(xs, [e["train_loss"] for e in history], marker="o", label="train loss")
    left.plot(xs, [e["valid_loss"] for e in history], marker="o", label="valid loss")
    right.plot(xs, [e["accuracy"] for e in history], marker="o", color="tab:green", label="valid accuracy")
    right.set_ylim(min(0.5, min((e["accuracy"] for e in history), default=0.5)) - 0.02, 1.01)
    boundary = next((i for i, e in enumerate(history) if e["stage"] == 2), None)
    for ax in (left, right):
        if boundary:
            ax.axvline(boundary + 0.5, color="gray", linestyle="--", label="start of fine-tuning")
        ax.set_xlabel("epoch (stage 1, then stage 2)")
        ax.set_xticks(xs)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    left.set_title("loss")
    right.set_title("validation accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def mistakes_png(mistakes: list[dict[str, Any]], path: Path) -> Path:
    """``mistakes``: ``{"path", "label", "predicted", "confidence"}``, most confident first."""
    from PIL import Image

    plt = _pyplot()
    shown = mistakes[:MAX_MISTAKES]
    cols = min(4, max(1, len(shown)))
    rows = max(1, math.ceil(len(shown) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.9 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, m in zip(axes.flat, shown):
        with Image.open(m["path"]) as img:
            ax.imshow(img.convert("RGB"))
        ax.set_title(f"{m['label']} → {m['predicted']}\n{m['confidence']:.0%}", fontsize=9, color="darkred")
    if not shown:
        axes.flat[0].text(0.5, 0.5, "no mistakes / sin errores", ha="center", va="center")
    fig.suptitle("most confident mistakes (true → predicted)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

"""The report's pictures (matplotlib, Agg backend: no display needed).

- ``confusion_matrix.png``: rows are the true labels, columns the predicted ones, counts in cells;
- ``curves.png``: training and validation loss, validation accuracy and F1 per epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_png(matrix: list[list[int]], labels: Sequence[str], path: Path, title: str) -> Path:
    plt = _pyplot()
    size = max(3.5, 0.7 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels=list(labels), rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels=list(labels))
    ax.set_xlabel("predicted / predicha")
    ax.set_ylabel("true / real")
    ax.set_title(title)
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center",
                    color="white" if peak and value > peak / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def curves_png(epochs: list[dict[str, Any]], path: Path) -> Path:
    plt = _pyplot()
    xs = [e["epoch"] for e in epochs]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(xs, [e["train_loss"] for e in epochs], marker="o", label="train loss")
    left.plot(xs, [e["valid_loss"] for e in epochs], marker="o", label="valid loss")
    left.set_xlabel("epoch")
    left.legend()
    right.plot(xs, [e["accuracy"] for e in epochs], marker="o", label="valid accuracy")
    right.plot(xs, [e["f1"] for e in epochs], marker="o", label="valid F1 (macro)")
    right.set_ylim(0, 1.02)
    right.set_xlabel("epoch")
    right.legend()
    for ax in (left, right):
        ax.set_xticks(xs)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

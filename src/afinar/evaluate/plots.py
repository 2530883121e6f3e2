"""Every picture Afinar draws of a run, in one module (matplotlib, Agg backend: no display needed).

The classifiers' reports save them as PNG files (which the studio shows and the model card links);
the Python API draws the same figures inline in a notebook (``Run.curves()``, ``Run.confusion_matrix()``).

- ``confusion_matrix.png``: rows are the true labels, columns the predicted ones, counts in cells;
- ``curves.png`` (text classifier): training and validation loss, validation accuracy and F1 per epoch;
- ``curves.png`` (image classifier): the same over both stages, one continuous x axis, a dashed line
  where stage 2 (fine-tuning) starts — the course's picture of what fine-tuning adds;
- ``mistakes.png`` (image classifier): the validation pictures the model got wrong with the highest
  confidence, each titled with its true label, the predicted one and the confidence;
- the chat fine-tune's training and validation loss per step (``chat_loss_figure``; no file).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_MISTAKES = 16


def _figure(width: float, height: float) -> Any:
    """A matplotlib Figure made without pyplot: no global backend is switched (a notebook's own
    inline plots keep working) and no global figure list is kept (safe in the studio's threads)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def save_png(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def png_bytes(fig: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def confusion_png(matrix: list[list[int]], labels: Sequence[str], path: Path, title: str) -> Path:
    return save_png(confusion_figure(matrix, labels, title), path)


def confusion_figure(matrix: list[list[int]], labels: Sequence[str], title: str) -> Any:
    size = max(3.5, 0.7 * len(labels) + 2)
    fig = _figure(size, size)
    ax = fig.subplots()
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
    return fig


def curves_png(epochs: list[dict[str, Any]], path: Path) -> Path:
    return save_png(curves_figure(epochs), path)


def curves_figure(epochs: list[dict[str, Any]]) -> Any:
    """A text classifier's epochs (``kind: epoch`` records of its metrics)."""
    xs = [e["epoch"] for e in epochs]
    fig = _figure(9, 3.5)
    left, right = fig.subplots(1, 2)
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
    return fig


def stage_curves_png(history: list[dict[str, Any]], path: Path) -> Path:
    return save_png(stage_curves_figure(history), path)


def stage_curves_figure(history: list[dict[str, Any]]) -> Any:
    """An image classifier's epochs over both stages (``kind: epoch`` records with ``stage``)."""
    xs = list(range(1, len(history) + 1))
    fig = _figure(10, 3.8)
    left, right = fig.subplots(1, 2)
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
    return fig


def mistakes_png(mistakes: list[dict[str, Any]], path: Path) -> Path:
    """``mistakes``: ``{"path", "label", "predicted", "confidence"}``, most confident first."""
    return save_png(mistakes_figure(mistakes), path)


def mistakes_figure(mistakes: list[dict[str, Any]]) -> Any:
    from PIL import Image

    shown = mistakes[:MAX_MISTAKES]
    cols = min(4, max(1, len(shown)))
    rows = max(1, math.ceil(len(shown) / cols))
    fig = _figure(2.6 * cols, 2.9 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, m in zip(axes.flat, shown):
        with Image.open(m["path"]) as img:
            ax.imshow(img.convert("RGB"))
        ax.set_title(f"{m['label']} → {m['predicted']}\n{m['confidence']:.0%}", fontsize=9, color="darkred")
    if not shown:
        axes.flat[0].text(0.5, 0.5, "no mistakes / sin errores", ha="center", va="center")
    fig.suptitle("most confident mistakes (true → predicted)", fontsize=10)
    return fig


def chat_loss_figure(metrics: list[dict[str, Any]]) -> Any:
    """A chat fine-tune's training loss per step and its validation loss where it was measured (the
    records of its ``metrics.jsonl``; the studio's Ajustar page plots the same two series)."""
    fig = _figure(7, 3.5)
    ax = fig.subplots()
    for key, label in (("train_loss", "train loss"), ("valid_loss", "valid loss")):
        points = [(m["step"], m[key]) for m in metrics if isinstance(m.get(key), (int, float)) and "step" in m]
        if points:
            ax.plot(*zip(*points), marker="o" if key == "valid_loss" else None, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend()
    return fig

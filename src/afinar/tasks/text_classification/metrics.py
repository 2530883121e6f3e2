"""Classification metrics in plain Python: the numbers the course names, computed so they can be
checked by hand (``tests/unit/test_textcls_metrics.py`` does).

- confusion matrix: ``matrix[true][predicted]`` counts, classes in label-id order;
- precision of a class = correct predictions of it ÷ all predictions of it (0 when never predicted),
  recall = correct ÷ its true examples, F1 = their harmonic mean (0 when both are 0);
- macro averages: the plain mean over classes (every class counts the same, whatever its size);
- expected calibration error (ECE): confidences binned into ``bins`` equal-width bins over [0, 1];
  the mean |accuracy − confidence| per bin weighted by the bin's share of examples. 0 means a
  prediction made with 80% confidence is right 80% of the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], n_classes: int) -> list[list[int]]:
    matrix = [[0] * n_classes for _ in range(n_classes)]
    for t, p in zip(y_true, y_pred, strict=True):
        matrix[t][p] += 1
    return matrix


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def per_class(matrix: list[list[int]], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for i, label in enumerate(labels):
        correct = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision = _ratio(correct, predicted)
        recall = _ratio(correct, support)
        out[label] = {"precision": precision, "recall": recall,
                      "f1": _ratio(2 * precision * recall, precision + recall), "support": support}
    return out


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    total = len(confidences)
    if not total:
        return 0.0
    sums: list[list[float]] = [[0, 0.0, 0.0] for _ in range(bins)]  # count, confidence sum, correct sum
    for conf, ok in zip(confidences, correct, strict=True):
        b = min(int(conf * bins), bins - 1)
        sums[b][0] += 1
        sums[b][1] += conf
        sums[b][2] += 1.0 if ok else 0.0
    return sum(abs(c_sum - ok_sum) / total for n, c_sum, ok_sum in sums if n)


def evaluate(y_true: Sequence[int], probabilities: Sequence[Sequence[float]], labels: Sequence[str]) -> dict[str, Any]:
    """All report metrics from the true class ids and the predicted probabilities (one row per example)."""
    y_pred = [max(range(len(row)), key=row.__getitem__) for row in probabilities]
    confidences = [row[p] for row, p in zip(probabilities, y_pred)]
    result = scores(y_true, y_pred, labels)
    result["ece"] = expected_calibration_error(confidences, [t == p for t, p in zip(y_true, y_pred)])
    result["mean_confidence"] = sum(confidences) / len(confidences) if confidences else 0.0
    return result


def scores(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro precision/recall/F1, per-class scores and the confusion matrix."""
    matrix = confusion_matrix(y_true, y_pred, len(labels))
    classes = per_class(matrix, labels)
    n = len(classes) or 1
    return {
        "accuracy": _ratio(sum(matrix[i][i] for i in range(len(labels))), len(y_true)),
        "precision": sum(c["precision"] for c in classes.values()) / n,
        "recall": sum(c["recall"] for c in classes.values()) / n,
        "f1": sum(c["f1"] for c in classes.values()) / n,
        "per_class": classes,
        "confusion_matrix": matrix,
        "examples": len(y_true),
    }

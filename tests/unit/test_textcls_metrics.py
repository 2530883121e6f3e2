"""Metrics against a confusion matrix computed by hand, calibration error, and the baselines."""

from __future__ import annotations

import pytest

from afinar.tasks.text_classification import baselines, metrics

pytestmark = pytest.mark.unit

LABELS = ["negativo", "neutral", "positivo"]
# 10 examples. True / predicted class ids:
Y_TRUE = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
Y_PRED = [0, 0, 0, 1, 1, 1, 2, 2, 2, 0]
# By hand, rows true, columns predicted:
#            neg neu pos
#   neg       3   1   0
#   neu       0   2   1
#   pos       1   0   2
HAND_MATRIX = [[3, 1, 0], [0, 2, 1], [1, 0, 2]]


def test_confusion_matrix_by_hand() -> None:
    assert metrics.confusion_matrix(Y_TRUE, Y_PRED, 3) == HAND_MATRIX


def test_scores_by_hand() -> None:
    s = metrics.scores(Y_TRUE, Y_PRED, LABELS)
    assert s["accuracy"] == pytest.approx(7 / 10)
    neg, neu, pos = (s["per_class"][label] for label in LABELS)
    # negativo: predicted 4 times (3 right), 4 true examples
    assert neg["precision"] == pytest.approx(3 / 4) and neg["recall"] == pytest.approx(3 / 4)
    assert neg["f1"] == pytest.approx(3 / 4) and neg["support"] == 4
    # neutral: predicted 3 times (2 right), 3 true
    assert neu["precision"] == pytest.approx(2 / 3) and neu["recall"] == pytest.approx(2 / 3)
    # positivo: predicted 3 times (2 right), 3 true
    assert pos["precision"] == pytest.approx(2 / 3) and pos["recall"] == pytest.approx(2 / 3)
    assert s["precision"] == pytest.approx((3 / 4 + 2 / 3 + 2 / 3) / 3)
    assert s["f1"] == pytest.approx((3 / 4 + 2 / 3 + 2 / 3) / 3)


def test_class_never_predicted_scores_zero_not_error() -> None:
    s = metrics.scores([0, 1, 1], [1, 1, 1], ["a", "b"])
    assert s["per_class"]["a"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert s["per_class"]["b"]["precision"] == pytest.approx(2 / 3)
    assert s["per_class"]["b"]["recall"] == 1.0


def test_unequal_precision_recall_f1_is_harmonic_mean() -> None:
    s = metrics.scores([0, 0, 0, 1], [0, 1, 1, 1], ["a", "b"])
    b = s["per_class"]["b"]  # predicted 3 times, 1 right; 1 true example found
    assert b["precision"] == pytest.approx(1 / 3) and b["recall"] == 1.0
    assert b["f1"] == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))


def test_ece_by_hand() -> None:
    # Bin [0.9, 1.0]: two predictions at 0.95, one right -> |0.5 - 0.95| * 2/4
    # Bin [0.6, 0.7): two at 0.65, both right -> |1.0 - 0.65| * 2/4
    ece = metrics.expected_calibration_error([0.95, 0.95, 0.65, 0.65], [True, False, True, True])
    assert ece == pytest.approx(0.45 * 0.5 + 0.35 * 0.5)
    assert metrics.expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert metrics.expected_calibration_error([], []) == 0.0


def test_evaluate_from_probabilities() -> None:
    probs = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.5, 0.4, 0.1]]
    result = metrics.evaluate([0, 1, 2, 1], probs, LABELS)
    assert result["confusion_matrix"] == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    assert result["accuracy"] == pytest.approx(3 / 4)
    assert 0 <= result["ece"] <= 1


def test_majority_baseline() -> None:
    s = baselines.majority([0, 1, 1, 2], [0, 1, 2, 1], LABELS)
    assert s["confusion_matrix"] == [[0, 1, 0], [0, 2, 0], [0, 1, 0]]
    assert s["accuracy"] == pytest.approx(0.5)


def test_tfidf_baseline_learns_words() -> None:
    texts = ["comida rica", "muy rica la comida", "servicio horrible", "horrible todo", "abre a las ocho",
             "cierra a las diez"]
    ids = [2, 2, 0, 0, 1, 1]
    s = baselines.tfidf_logreg(texts, ids, ["rica comida", "horrible servicio", "abre a las diez"], [2, 0, 1], LABELS)
    assert s["accuracy"] == 1.0


def test_mean_confidence() -> None:
    result = metrics.evaluate([0, 1], [[0.6, 0.4], [0.2, 0.8]], ["a", "b"])
    assert result["mean_confidence"] == pytest.approx(0.7)

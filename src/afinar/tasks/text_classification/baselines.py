"""Baselines scored on the same split as the fine-tuned model, so a report shows what fine-tuning bought.

- ``majority``: always answer the most frequent training label (ties: the first in label order).
  Its accuracy is the share of that class; anything that does not beat it learned nothing.
- ``tfidf_logreg``: TF-IDF of words and word pairs (sublinear term frequency, accents kept) into a
  logistic regression (scikit-learn, lbfgs, C=10, at most 2,000 iterations). A strong, cheap
  classic: seconds to train, no GPU, no pretrained model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from afinar.tasks.text_classification import metrics


def majority(train_ids: Sequence[int], valid_ids: Sequence[int], labels: Sequence[str]) -> dict[str, Any]:
    counts = Counter(train_ids)
    top = min(counts, key=lambda c: (-counts[c], c))
    return metrics.scores(valid_ids, [top] * len(valid_ids), labels)


def tfidf_logreg_fit(texts: Sequence[str], ids: Sequence[int], seed: int = 42):
    """A fitted TF-IDF + logistic regression pipeline."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
        LogisticRegression(C=10.0, max_iter=2000, random_state=seed),
    )
    pipeline.fit(list(texts), list(ids))
    return pipeline


def tfidf_logreg(train_texts: Sequence[str], train_ids: Sequence[int], valid_texts: Sequence[str],
                 valid_ids: Sequence[int], labels: Sequence[str], seed: int = 42) -> dict[str, Any]:
    pipeline = tfidf_logreg_fit(train_texts, train_ids, seed)
    return metrics.scores(valid_ids, [int(p) for p in pipeline.predict(list(valid_texts))], labels)


def all_baselines(train_texts: Sequence[str], train_ids: Sequence[int], valid_texts: Sequence[str],
                  valid_ids: Sequence[int], labels: Sequence[str], seed: int = 42) -> dict[str, dict[str, Any]]:
    return {
        "majority": majority(train_ids, valid_ids, labels),
        "tfidf_logreg": tfidf_logreg(train_texts, train_ids, valid_texts, valid_ids, labels, seed),
    }

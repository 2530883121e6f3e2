"""Classify texts with a finished run: the task's entry point for ``afinar predict``.

The interface every task's ``predict`` module offers (``afinar.cli.predict`` relies on it alone):

- ``load_predictor(run_dir) -> Predictor``: the trained model of a run, ready to use;
- ``Predictor.labels``: the class names, in class-id order;
- ``Predictor.input_column(columns) -> str | None``: which column of an input table holds the
  items to classify (here the text; for images it would be the file path);
- ``Predictor.predict(items, on_batch=None) -> list[dict[label, probability]]``: one mapping per
  item, probabilities summing to 1; ``on_batch(n)`` is called after every batch (progress bars).

``batch_probabilities`` is also what training uses to score the validation split, so training
and prediction compute confidences the same way: softmax of the logits.

A trained folder says in ``config.json`` (entry ``afinar``) which head it has (``cls``: the base's
standard sequence-classification head; ``mean``: ``heads.MeanPoolingClassifier``) and the prefix its
texts get (e5: ``query: ``); ``load_model`` and ``encode`` follow it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar.data.columns import find_column
from afinar.errors import AfinarError

BATCH_SIZE = 32
CONFIG_KEY = "afinar"  # config.json entry: {"head": "cls" | "mean", "text_prefix": str}


def batch_probabilities(model: Any, tokenizer: Any, texts: Sequence[str], max_length: int,
                        batch_size: int = BATCH_SIZE, labels: Sequence[int] | None = None,
                        on_batch: Callable[[int], None] | None = None) -> tuple[list[list[float]], float]:
    """Softmax probabilities per text and, when ``labels`` are given, the mean cross-entropy loss."""
    import torch
    import torch.nn.functional as F

    model.eval()
    device = next(model.parameters()).device
    probs: list[list[float]] = []
    loss_sum = 0.0
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            chunk = list(texts[start:start + batch_size])
            enc = encode(model, tokenizer, chunk, max_length).to(device)
            logits = model(**enc).logits.float()
            if labels is not None:
                target = torch.tensor(labels[start:start + batch_size], device=device)
                loss_sum += F.cross_entropy(logits, target, reduction="sum").item()
            probs.extend(torch.softmax(logits, dim=-1).cpu().tolist())
            if on_batch:
                on_batch(len(chunk))
    return probs, (loss_sum / len(texts) if labels is not None and texts else 0.0)


def head_settings(config: Any) -> dict[str, str]:
    """``{"head": "cls" | "mean", "text_prefix": str}`` of a model config (folders saved before the
    ``afinar`` entry existed: the standard head, no prefix)."""
    saved = getattr(config, CONFIG_KEY, None) or {}
    return {"head": saved.get("head", "cls"), "text_prefix": saved.get("text_prefix", "")}


def encode(model: Any, tokenizer: Any, texts: Sequence[str], max_length: int):
    """Tokenized batch of ``texts``, each with the model's text prefix (e5: ``query: ``)."""
    prefix = head_settings(model.config)["text_prefix"]
    return tokenizer([prefix + t for t in texts], padding=True, truncation=True, max_length=max_length,
                     return_tensors="pt")


def load_model(folder: Path, *, labels: Sequence[str] | None = None, head: str = "cls", text_prefix: str = ""):
    """Tokenizer and classification model from a Hugging Face folder (safetensors only, no remote
    code). With ``labels`` a new head of that size is created on a base: ``head`` says which
    (``cls`` or ``mean``) and ``text_prefix`` what every text gets; both are kept in the model's
    config. Without ``labels`` the folder is a trained model and its config says both."""
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
    kwargs: dict[str, Any] = {"trust_remote_code": False, "use_safetensors": True}
    if labels is not None:
        kwargs.update(num_labels=len(labels), id2label=dict(enumerate(labels)),
                      label2id={label: i for i, label in enumerate(labels)})
    else:
        head = head_settings(AutoConfig.from_pretrained(folder, trust_remote_code=False))["head"]
    if head == "mean":
        from afinar.tasks.text_classification.heads import MeanPoolingClassifier

        model = MeanPoolingClassifier.from_pretrained(folder, **kwargs)
    else:
        model = AutoModelForSequenceClassification.from_pretrained(folder, **kwargs)
    if labels is not None:
        setattr(model.config, CONFIG_KEY, {"head": head, "text_prefix": text_prefix})
    return tokenizer, model


@dataclass
class TextPredictor:
    tokenizer: Any
    model: Any
    labels: list[str]
    max_length: int

    def input_column(self, columns: Sequence[str]) -> str | None:
        return find_column(columns, "text")

    def predict(self, items: Sequence[str], on_batch: Callable[[int], None] | None = None) -> list[dict[str, float]]:
        probs, _ = batch_probabilities(self.model, self.tokenizer, [str(t) for t in items], self.max_length,
                                       on_batch=on_batch)
        return [dict(zip(self.labels, row)) for row in probs]


def load_predictor(run_dir: Path) -> TextPredictor:
    """The trained model in ``run_dir/final`` (a finished text-classification run)."""
    from afinar.tasks.text_classification import config as config_module

    final = run_dir / "final"
    if not (final / "config.json").is_file():
        raise AfinarError("textcls.predict.no_model", path=str(run_dir))
    tokenizer, model = load_model(final)
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    max_length = config_module.load(run_dir).max_length
    return TextPredictor(tokenizer, model, labels, max_length)

"""The training process: ``python -m afinar.tasks.text_classification.train RUN_DIR``.

It starts from the run folder alone (``config.yaml``, ``meta.json``, ``data/*.jsonl``, written by
``launch``) and reads top to bottom:

1. load the base encoder with a new classification head (one output per label): the base's
   standard head on the first token (``cls``), or, for sentence-embedding bases such as e5, a
   linear layer on the mean-pooled sentence vector (``mean``, see ``heads``) that starts from a
   logistic regression on the frozen base's vectors of the training texts (a linear probe);
2. freeze the word embeddings when the config says so (large vocabularies: much faster on CPU);
3. AdamW with linear decay after a 10% warm-up, the encoder at ``lr`` and the new head at ``head_lr``; cross-entropy, optionally weighted by inverse
   class frequency; gradients clipped at 1.0;
4. after every epoch score the validation split; a better macro F1 is saved as the checkpoint to
   keep; ``patience`` epochs without improvement stop training early;
5. the best checkpoint becomes ``final/``; baselines, pictures, ``report.json`` and the model card
   are written next to it.

After every epoch the whole training state (trainable weights, optimizer, schedule, random state,
the epochs so far) is saved to ``checkpoints/resume``: ``--resume`` (the job runner's restart after
a crash, or its resume after a pause) continues from the epoch after it, with the same weights an
uninterrupted run would have. A pause request (``afinar.engine.rundir.PAUSE_FILE``) is honoured
there, at the end of an epoch.

Progress goes to ``metrics.jsonl`` (``kind``: start, step, epoch, phase) where the parent process
reads it. A crash records its reason in ``meta.json`` (status ``failed``) and the traceback goes to
``train.log``; the exception is re-raised, so the exit code says it failed.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar.engine import checkpoint as checkpoint_state
from afinar.engine.rundir import RunDir
from afinar.engine.subprocess_run import Paused, child_main
from afinar.jobs.child import attach
from afinar.tasks.text_classification import config as config_module
from afinar.tasks.text_classification import data, metrics
from afinar.tasks.text_classification.config import TextClassificationConfig
from afinar.tasks.text_classification.predict import (
    batch_probabilities,
    encode,
    load_model,
)

WARMUP = 0.1  # share of the steps with a rising learning rate
WEIGHT_DECAY = 0.01
CLIP = 1.0
KEEP_CHECKPOINTS = 1  # only the best epoch is kept
HEAD_PARTS = ("classifier", "pooler")  # parameter names of the new head (BERT, RoBERTa, DistilBERT)
RESUME = "resume"  # checkpoints/resume: the training state after the last finished epoch
PROBE_C = 10.0  # inverse L2 strength of the linear probe that starts a mean head (as in the benchmark's peer)


def _freeze_embeddings(model: Any) -> int:
    """Freeze the word-embedding matrix; returns how many parameters were frozen."""
    embeddings = model.get_input_embeddings()
    embeddings.weight.requires_grad_(False)
    return embeddings.weight.numel()


def _param_groups(model: Any, lr: float, head_lr: float) -> list[dict[str, Any]]:
    """Two learning rates: the pretrained encoder's (small) and the new head's (classifier and
    pooler start from random weights and need larger steps to be useful in a few epochs)."""
    encoder, head = [], []
    for name, param in model.named_parameters():
        if param.requires_grad:
            (head if any(part in name for part in HEAD_PARTS) else encoder).append(param)
    return [{"params": encoder, "lr": lr}, {"params": head, "lr": head_lr}]


def _untrained_pooler(base_path: Path) -> bool:
    """True when the base's pooler was not pretrained (Afinar's e5 conversion initializes it)."""
    manifest = base_path / "afinar-model.json"
    if not manifest.is_file():
        return False
    details = json.loads(manifest.read_text(encoding="utf-8")).get("details") or {}
    return str(details.get("pooler", "")).startswith("initialized")


def _identity_pooler(model: Any) -> bool:
    """Start an untrained BERT pooler as the identity, so the classifier first sees the [CLS]
    features themselves (through tanh) rather than a random projection of them."""
    import torch

    pooler = getattr(getattr(model, "bert", None), "pooler", None)
    dense = getattr(pooler, "dense", None)
    if dense is None or dense.weight.shape[0] != dense.weight.shape[1]:
        return False
    with torch.no_grad():
        dense.weight.copy_(torch.eye(dense.weight.shape[0]))
        dense.bias.zero_()
    return True


def _probe_head(model: Any, tokenizer: Any, texts: list[str], ids: list[int], cfg: TextClassificationConfig) -> float:
    """Start a mean head from a logistic regression fitted on the frozen base's sentence vectors
    of the training texts; returns the probe's training accuracy."""
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression

    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        vectors = torch.cat([model.embed(**encode(model, tokenizer, texts[i:i + 32], cfg.max_length).to(device))
                             for i in range(0, len(texts), 32)]).float().cpu().numpy()
    probe = LogisticRegression(C=PROBE_C, max_iter=3000, random_state=cfg.seed).fit(vectors, ids)
    n_labels, hidden = model.classifier.weight.shape
    weight, bias = np.zeros((n_labels, hidden)), np.zeros(n_labels)
    if len(probe.classes_) == 2:  # one logit w·x + b; the same softmax from ±(w·x + b)/2
        rows, coef, intercept = probe.classes_, np.vstack([-probe.coef_, probe.coef_]) / 2, \
            np.concatenate([-probe.intercept_, probe.intercept_]) / 2
    else:
        rows, coef, intercept = probe.classes_, probe.coef_, probe.intercept_
    weight[rows], bias[rows] = coef, intercept
    model.set_head(weight, bias)
    return float(probe.score(vectors, ids))


def _class_weights(ids: list[int], n_classes: int):
    import torch

    counts = [max(ids.count(c), 1) for c in range(n_classes)]
    return torch.tensor([len(ids) / (n_classes * c) for c in counts], dtype=torch.float32)


@dataclass
class _Trainer:
    """The model and its optimizer; ``epoch`` runs one pass, ``evaluate`` scores a split."""

    run: RunDir
    cfg: TextClassificationConfig
    tokenizer: Any
    model: Any
    optimizer: Any
    scheduler: Any
    trainable: list[Any]
    weights: Any
    device: Any
    total_steps: int
    step: int = 0

    def epoch(self, epoch: int, examples: data.Examples, ids: list[int], order: list[int]) -> list[float]:
        import torch
        import torch.nn.functional as F

        self.model.train()
        losses = []
        for start in range(0, len(order), self.cfg.batch_size):
            idx = order[start:start + self.cfg.batch_size]
            enc = encode(self.model, self.tokenizer, [examples.texts[i] for i in idx], self.cfg.max_length).to(self.device)
            target = torch.tensor([ids[i] for i in idx], device=self.device)
            loss = F.cross_entropy(self.model(**enc).logits.float(), target, weight=self.weights)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.trainable, CLIP)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.step += 1
            losses.append(loss.item())
            self.run.log_metrics(kind="step", step=self.step, total_steps=self.total_steps, epoch=epoch,
                                 loss=loss.item(), lr=self.scheduler.get_last_lr()[0])
        return losses

    def evaluate(self, examples: data.Examples, ids: list[int], labels: list[str]):
        probs, loss = batch_probabilities(self.model, self.tokenizer, examples.texts, self.cfg.max_length, labels=ids)
        return probs, loss, metrics.evaluate(ids, probs, labels)


def _build(run: RunDir, cfg: TextClassificationConfig, meta: dict[str, Any], train: data.Examples,
           train_ids: list[int], resuming: bool = False) -> _Trainer:
    """Seeded model with its new head (a mean head from the linear probe), freezing, optimizer with
    two learning rates, schedule."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    labels: list[str] = meta["labels"]
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer, model = load_model(Path(meta["base_path"]), labels=labels, head=cfg.head, text_prefix=cfg.text_prefix)
    frozen = _freeze_embeddings(model) if cfg.freeze_embeddings == "yes" else 0
    if cfg.head == "cls" and _untrained_pooler(Path(meta["base_path"])) and _identity_pooler(model):
        run.log_event("The base's pooler was not pretrained: it starts as the identity.")
    model.to(device)
    if cfg.head == "mean" and not resuming:  # (a resumed run loads its head from the checkpoint)
        accuracy = _probe_head(model, tokenizer, train.texts, train_ids, cfg)
        run.log_event(f"Mean-pooling head started from a logistic regression on the base's sentence vectors "
                      f"(training accuracy {accuracy:.3f}).")
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(_param_groups(model, cfg.lr, cfg.head_lr), weight_decay=WEIGHT_DECAY)
    total_steps = math.ceil(len(train_ids) / cfg.batch_size) * cfg.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(WARMUP * total_steps), total_steps)
    weights = _class_weights(train_ids, len(labels)).to(device) if cfg.class_weights else None
    if not resuming:
        run.log_metrics(kind="start", total_steps=total_steps, epochs=cfg.epochs, train_examples=len(train_ids),
                        trainable_params=sum(p.numel() for p in trainable), frozen_params=frozen,
                        device=str(device))
    return _Trainer(run, cfg, tokenizer, model, optimizer, scheduler, trainable, weights, device, total_steps)


def _versions() -> dict[str, str]:
    from importlib import metadata

    return {name: metadata.version(name) for name in ("torch", "transformers", "tokenizers", "safetensors")}


def _resume_state(run: RunDir) -> dict[str, Any] | None:
    state = run.path / "checkpoints" / RESUME / "state.json"
    return json.loads(state.read_text(encoding="utf-8")) if state.is_file() else None


def train_run(run: RunDir, resume: bool = False) -> dict[str, Any]:
    import torch

    cfg = config_module.load(run.path)
    meta = run.read_meta()
    labels: list[str] = meta["labels"]
    label_id = {label: i for i, label in enumerate(labels)}
    train = data.read_jsonl(run.path / "data" / "train.jsonl")
    valid = data.read_jsonl(run.path / "data" / "valid.jsonl")
    train_ids = [label_id[x] for x in train.labels]
    valid_ids = [label_id[x] for x in valid.labels]
    state = _resume_state(run) if resume else None
    # each step once in metrics.jsonl: a resumed run drops the rows after its state, a fresh one all
    run.keep_metrics_through(state["step"] if state else -1)
    trainer = _build(run, cfg, meta, train, train_ids, resuming=state is not None)
    run.update_meta(versions=_versions())

    generator = torch.Generator().manual_seed(cfg.seed)
    best, stale, history, first = None, 0, [], 1
    if state is not None:
        checkpoint_state.load(run.path / "checkpoints" / RESUME, trainer.model, trainer.optimizer, trainer.scheduler)
        best, stale, history, trainer.step = state["best"], state["stale"], state["history"], state["step"]
        for _ in range(state["epoch"]):  # the shuffles of the finished epochs, as an uninterrupted run drew them
            torch.randperm(len(train), generator=generator)
        first = state["epoch"] + 1
        run.log_event(f"Resumed after epoch {state['epoch']} (step {state['step']}).")
    started = time.perf_counter() - (state or {}).get("seconds", 0.0)
    for epoch in range(first, cfg.epochs + 1):
        losses = trainer.epoch(epoch, train, train_ids, torch.randperm(len(train), generator=generator).tolist())
        probs, valid_loss, scores = trainer.evaluate(valid, valid_ids, labels)
        row = {"epoch": epoch, "step": trainer.step, "train_loss": sum(losses) / len(losses),
               "valid_loss": valid_loss, **{k: scores[k] for k in ("accuracy", "precision", "recall", "f1", "ece")}}
        history.append(row)
        run.log_metrics(kind="epoch", **row)
        run.log_event(f"Epoch {epoch}/{cfg.epochs}: train loss={row['train_loss']:.4f}, "
                      f"valid loss={valid_loss:.4f}, accuracy={scores['accuracy']:.3f}, F1={scores['f1']:.3f}")
        if best is None or scores["f1"] > best["scores"]["f1"]:
            best, stale = {"epoch": epoch, "step": trainer.step, "probs": probs, "scores": scores}, 0
            _save_checkpoint(run, trainer.model, trainer.tokenizer, epoch, trainer.step, scores["f1"])
        else:
            stale += 1
            if cfg.patience and stale >= cfg.patience:
                run.log_event(f"Early stop after epoch {epoch}: no better validation F1 for {stale} epochs.")
                break
        if epoch < cfg.epochs:
            checkpoint_state.save(run.path / "checkpoints" / RESUME, trainer.model, trainer.optimizer,
                                  trainer.scheduler, {"epoch": epoch, "step": trainer.step, "best": best,
                                                      "stale": stale, "history": history,
                                                      "seconds": time.perf_counter() - started})
            if run.pause_requested():
                run.update_meta(status="paused", paused_at=int(time.time()), paused_step=trainer.step)
                run.log_event(f"Job paused after epoch {epoch} (step {trainer.step})", step=trainer.step)
                raise Paused
    train_seconds = time.perf_counter() - started
    shutil.rmtree(run.path / "checkpoints" / RESUME, ignore_errors=True)  # trained: nothing left to resume

    run.log_metrics(kind="phase", phase="report")
    if run.final_dir.exists():
        shutil.rmtree(run.final_dir)
    shutil.copytree(run.checkpoint_dir(best["step"]), run.final_dir, ignore=shutil.ignore_patterns("state.json"))
    from afinar.tasks.text_classification import report

    result = report.write(run, cfg, meta, train, valid, train_ids, valid_ids, best, history,
                          train_seconds=train_seconds, device=str(trainer.device))
    run.log_event(f"The job has successfully completed: best epoch {best['epoch']}, "
                  f"validation F1={best['scores']['f1']:.3f}.")
    return result


def _save_checkpoint(run: RunDir, model: Any, tokenizer: Any, epoch: int, step: int, f1: float) -> None:
    folder = run.checkpoint_dir(step)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / "state.json").write_text(json.dumps({"epoch": epoch, "step": step, "f1": f1}) + "\n",
                                       encoding="utf-8")
    run.prune_checkpoints(KEEP_CHECKPOINTS)


def main(argv: list[str] | None = None) -> int:
    return child_main("afinar.tasks.text_classification.train", argv, train_run, lambda result: {
        "best_epoch": result["best_epoch"],
        "metrics": {k: result["final"][k] for k in ("accuracy", "precision", "recall", "f1", "ece")}}, attach=attach)


if __name__ == "__main__":
    sys.exit(main())

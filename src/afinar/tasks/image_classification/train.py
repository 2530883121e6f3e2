"""The training process: ``python -m afinar.tasks.image_classification.train RUN_DIR``.

It starts from the run folder alone (``config.yaml``, ``meta.json``, ``data/*.csv``, written by
``launch``) and reads top to bottom:

1. load the pretrained backbone with a new head (dropout + linear, one output per class);
2. stage 1: freeze the whole backbone and train the head. By default (``stage1_probe``) the head is
   a converged linear probe (``probe``): the frozen backbone's features of the un-augmented
   training pictures are computed once, standardized, and the linear layer is fitted by
   full-batch L-BFGS to scikit-learn's ``LogisticRegression(C=stage1_c)`` optimum, one L-BFGS call
   per epoch; the last epoch (the converged fit) is kept and the standardization is folded into the
   layer. Off: the course's Adam epochs at ``stage1_lr`` (without augmentation on cached features:
   the same numbers, many times faster on CPU);
3. stage 2: unfreeze the backbone's layers from ``fine_tune_at`` on and continue with a new Adam
   at ``stage1_lr × stage2_lr_factor``;
4. in each stage, after every epoch, score the validation pictures; the epoch with the lowest
   validation loss is kept; ``patience`` epochs without a lower one stop the stage early. A
   validation loss that rises while the training loss falls is reported as overfitting;
5. the kept network becomes ``final/`` (an Afinar image-model folder); metrics, pictures and the
   model card are written next to it (``report``).

Progress goes to ``metrics.jsonl`` (``kind``: start, stage, step, epoch, warning, phase) where the
parent process reads it. A crash records its reason in ``meta.json`` (status ``failed``); the
exception is re-raised, so the exit code says it failed.

After every epoch but the last the whole training state (the network, the stage's Adam state, the
best epoch so far and its weights, the shuffling and dropout random state, every stage's history)
is saved to ``checkpoints/resume``: ``--resume`` (the job runner's restart after a crash, or its
resume after a pause) continues from the epoch after it and ends with the weights an uninterrupted
run ends with. A pause request (``afinar.engine.rundir.PAUSE_FILE``) is honoured there.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from afinar.engine.rundir import RunDir
from afinar.engine.subprocess_run import Paused, child_main
from afinar.jobs.child import attach
from afinar.tasks.image_classification import config as config_module
from afinar.tasks.image_classification import data, images, modeling, probe
from afinar.tasks.image_classification.config import ImageClassificationConfig

EVAL_BATCH = 64
RESUME = "resume"  # checkpoints/resume: the training state after the last finished epoch


@dataclass
class Split:
    """One split: the pictures, their class ids and (stage 1 without augmentation) cached features."""

    images: images.ImageSet
    ids: torch.Tensor
    features: torch.Tensor | None = None


@dataclass
class StageResult:
    stage: int
    history: list[dict[str, Any]] = field(default_factory=list)
    best: dict[str, Any] | None = None
    seconds: float = 0.0
    images_seen: int = 0
    stopped_early: bool = False
    optimizer: Any = None  # the stage's optimizer (tests check its learning rate and parameters)

    @property
    def images_per_s(self) -> float:
        return self.images_seen / self.seconds if self.seconds else 0.0


@dataclass
class Trainer:
    run: RunDir
    cfg: ImageClassificationConfig
    net: modeling.Network
    recipe: dict[str, Any]
    device: torch.device
    generator: torch.Generator
    step: int = 0
    done: list[StageResult] = field(default_factory=list)  # the stages finished before the current one
    clock: float = 0.0  # perf_counter() when the training started (earlier attempts' time subtracted)

    # --- batches -----------------------------------------------------------------------------
    def inputs(self, split: Split, idx: list[int], augment: bool) -> torch.Tensor:
        x = images.to_input(split.images.batch(idx), self.recipe, self.device)
        return images.augment(x, self.cfg.rotation, self.generator) if augment else x

    def logits(self, split: Split, idx: list[int], augment: bool = False) -> torch.Tensor:
        if split.features is not None:
            return self.net.head(split.features[idx].to(self.device))
        return self.net(self.inputs(split, idx, augment))

    @torch.no_grad()
    def cache_features(self, split: Split) -> None:
        """The frozen backbone's pooled features of every picture, computed once (eval mode)."""
        self.net.train(False)
        chunks = [self.net.features(self.inputs(split, list(range(s, min(s + EVAL_BATCH, len(split.ids)))),
                                                False)).cpu() for s in range(0, len(split.ids), EVAL_BATCH)]
        split.features = torch.cat(chunks)

    @torch.no_grad()
    def evaluate(self, split: Split) -> tuple[torch.Tensor, float]:
        """Softmax probabilities of every picture and the mean cross-entropy."""
        self.net.train(False)
        probs, loss = [], 0.0
        for start in range(0, len(split.ids), EVAL_BATCH):
            idx = list(range(start, min(start + EVAL_BATCH, len(split.ids))))
            logits = self.logits(split, idx).float()
            target = split.ids[idx].to(self.device)
            loss += F.cross_entropy(logits, target, reduction="sum").item()
            probs.append(torch.softmax(logits, dim=-1).cpu())
        return torch.cat(probs), loss / len(split.ids)

    # --- one epoch ---------------------------------------------------------------------------
    def epoch(self, stage: int, epoch: int, split: Split, optimizer: torch.optim.Optimizer,
              total_steps: int) -> float:
        self.net.train(True)
        order = torch.randperm(len(split.ids), generator=self.generator).tolist()
        losses = []
        for start in range(0, len(order), self.cfg.batch_size):
            idx = order[start:start + self.cfg.batch_size]
            loss = F.cross_entropy(self.logits(split, idx, augment=self.cfg.augment).float(),
                                   split.ids[idx].to(self.device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            self.step += 1
            losses.append(loss.item())
            self.run.log_metrics(kind="step", stage=stage, step=self.step, total_steps=total_steps,
                                 epoch=epoch, loss=loss.item())
        return sum(losses) / len(losses)

    def probe_epoch(self, stage: int, epoch: int, split: Split, optimizer: torch.optim.LBFGS, total_steps: int,
                    l2: float) -> float:
        """One L-BFGS call of the linear probe on the cached (standardized) features: one step."""
        self.net.train(False)  # no dropout: the probe is the plain linear layer
        assert split.features is not None
        loss = probe.epoch(self.net.head, probe.linear_layer(self.net.head_modules()).weight,
                           split.features.to(self.device), split.ids.to(self.device), optimizer, l2)
        self.step += 1
        self.run.log_metrics(kind="step", stage=stage, step=self.step, total_steps=total_steps, epoch=epoch,
                             loss=loss, iterations=probe.iterations(optimizer))
        return loss

    def stage(self, stage: int, epochs: int, lr: float, train: Split, valid: Split, total_steps: int,
              resumed: Resumed | None = None, l2: float | None = None) -> StageResult:
        """Train ``epochs`` epochs with Adam at ``lr``; keeps (and restores) the lowest validation loss.
        ``resumed``: this stage's state after its epoch ``resumed.epoch`` (a resumed run). ``l2``: the
        linear probe instead (stage 1, cached features): one L-BFGS call per epoch with this L2
        weight, keeping the last epoch (the converged fit) and never stopping early."""
        fit = l2 is not None
        optimizer = probe.optimizer(self.net.trainable()) if fit else torch.optim.Adam(self.net.trainable(), lr=lr)
        result = StageResult(stage, optimizer=optimizer)
        best_state: dict[str, torch.Tensor] | None = None
        first = 1
        if resumed is not None:
            if resumed.optimizer is not None:
                optimizer.load_state_dict(resumed.optimizer)
            result = resumed.result
            result.optimizer = optimizer
            best_state, first = resumed.best_state, resumed.epoch + 1
        for epoch in range(first, epochs + 1):
            started = time.perf_counter()
            train_loss = (self.probe_epoch(stage, epoch, train, optimizer, total_steps, l2) if fit else
                          self.epoch(stage, epoch, train, optimizer, total_steps))
            result.seconds += time.perf_counter() - started
            result.images_seen += len(train.ids)
            probs, valid_loss = self.evaluate(valid)
            accuracy = (probs.argmax(1) == valid.ids).float().mean().item()
            row = {"stage": stage, "epoch": epoch, "step": self.step, "lr": None if fit else lr, "train_loss": train_loss,
                   "valid_loss": valid_loss, "accuracy": accuracy}
            result.history.append(row)
            self.run.log_metrics(kind="epoch", **row)
            self.run.log_event(f"Stage {stage}, epoch {epoch}/{epochs}: train loss={train_loss:.4f}, "
                               f"valid loss={valid_loss:.4f}, accuracy={accuracy:.3f}")
            _warn_overfitting(self.run, result.history)
            if fit or result.best is None or valid_loss < result.best["valid_loss"]:
                result.best = {**row, "probs": probs}
                best_state = {k: v.detach().clone() for k, v in self.net.model.state_dict().items()}
            elif self.cfg.patience and epoch - result.best["epoch"] >= self.cfg.patience:
                result.stopped_early = True
                self.run.log_event(f"Stage {stage}: early stop after epoch {epoch}, no lower validation "
                                   f"loss for {self.cfg.patience} epochs; keeping epoch {result.best['epoch']}.")
                break
            if epoch < epochs:
                self.save_resume(stage, epoch, optimizer, result, best_state)
                self.pause_if_asked(epoch)
        if best_state is not None:
            self.net.model.load_state_dict(best_state)
        return result

    # --- the training state after an epoch (resume after a crash or a pause) ---------------------
    def save_resume(self, stage: int, epoch: int, optimizer: torch.optim.Optimizer | None, result: StageResult,
                    best_state: dict[str, torch.Tensor] | None) -> None:
        """Everything the next epoch needs, in ``checkpoints/resume`` (``state.json`` written last:
        a folder without it is an interrupted save; the previous state is replaced only when the
        new one is whole). ``epoch`` 0 of a stage: it starts from the network as it is."""
        from safetensors.torch import save_file

        folder = self.run.path / "checkpoints" / RESUME
        tmp = folder.with_name(folder.name + ".partial")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        tensors = {f"net.{k}": v.detach().cpu().contiguous() for k, v in self.net.model.state_dict().items()}
        if best_state is not None:
            tensors |= {f"best.{k}": v.cpu().contiguous() for k, v in best_state.items()}
        if result.best is not None:
            tensors["best_probs"] = result.best["probs"].contiguous()
        save_file(tensors, str(tmp / "state.safetensors"))
        torch.save({"optimizer": optimizer.state_dict() if optimizer is not None else None,
                    "generator": self.generator.get_state(), "rng": torch.get_rng_state()}, tmp / "trainer.pt")
        state = {"stage": stage, "epoch": epoch, "step": self.step, "seconds": time.perf_counter() - self.clock,
                 "results": [_stage_state(r) for r in self.done] + [_stage_state(result)]}
        (tmp / "state.json").write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)

    def pause_if_asked(self, epoch: int) -> None:
        if self.run.pause_requested():
            self.run.update_meta(status="paused", paused_at=int(time.time()), paused_step=self.step)
            self.run.log_event(f"Job paused after epoch {epoch} (step {self.step})", step=self.step)
            raise Paused


@dataclass
class Resumed:
    """One stage's state read back from ``checkpoints/resume``: it goes on after epoch ``epoch``."""

    result: StageResult
    epoch: int
    optimizer: dict[str, Any] | None
    best_state: dict[str, torch.Tensor] | None


def _stage_state(result: StageResult) -> dict[str, Any]:
    best = {k: v for k, v in result.best.items() if k != "probs"} if result.best is not None else None
    return {"stage": result.stage, "history": result.history, "best": best, "seconds": result.seconds,
            "images_seen": result.images_seen, "stopped_early": result.stopped_early}


def read_resume(run: RunDir) -> dict[str, Any] | None:
    """The saved training state (``state.json`` plus its tensors and the optimizer and random state),
    or None when there is none."""
    from safetensors.torch import load_file

    folder = run.path / "checkpoints" / RESUME
    if not (folder / "state.json").is_file():
        return None
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    tensors = load_file(str(folder / "state.safetensors"))
    trainer = torch.load(folder / "trainer.pt", weights_only=True)  # our own file, tensors and numbers only
    results = []
    for i, saved in enumerate(state["results"]):
        result = StageResult(saved["stage"], history=saved["history"], seconds=saved["seconds"],
                             images_seen=saved["images_seen"], stopped_early=saved["stopped_early"])
        if saved["best"] is not None:  # (the validation probabilities are kept for the current stage only)
            last = i == len(state["results"]) - 1
            result.best = {**saved["best"], "probs": tensors.get("best_probs") if last else None}
        results.append(result)
    return {**state, "results": results, "trainer": trainer,
            "net": {k[4:]: v for k, v in tensors.items() if k.startswith("net.")},
            "best_state": {k[5:]: v for k, v in tensors.items() if k.startswith("best.")} or None}


def _warn_overfitting(run: RunDir, history: list[dict[str, Any]]) -> None:
    if len(history) < 2:
        return
    before, now = history[-2], history[-1]
    if now["valid_loss"] > before["valid_loss"] and now["train_loss"] < before["train_loss"]:
        run.log_metrics(kind="warning", code="overfitting", stage=now["stage"], epoch=now["epoch"],
                        train_loss=now["train_loss"], valid_loss=now["valid_loss"])
        run.log_event(f"Stage {now['stage']}, epoch {now['epoch']}: validation loss rose while training "
                      "loss fell (overfitting).", level="warning")


def _split(items: data.Items, label_id: dict[str, int], size: int) -> Split:
    return Split(images.ImageSet(items.paths, size), torch.tensor([label_id[x] for x in items.labels]))


def _steps(n: int, batch: int, epochs: int) -> int:
    return math.ceil(n / batch) * epochs


def _total_steps(cfg: ImageClassificationConfig, n: int) -> int:
    """Training steps of both stages: the probe's are its epochs (one L-BFGS call each)."""
    stage1 = cfg.stage1_epochs if cfg.stage1_probe else _steps(n, cfg.batch_size, cfg.stage1_epochs)
    return stage1 + _steps(n, cfg.batch_size, cfg.stage2_epochs)


def run_stages(trainer: Trainer, train: Split, valid: Split, labels: list[str],
               resumed: dict[str, Any] | None = None) -> list[StageResult]:
    """Stage 1 then stage 2, as the config says; the network ends with the last stage's best epoch.
    ``resumed``: the saved state (``read_resume``) to go on from."""
    cfg, net, run = trainer.cfg, trainer.net, trainer.run
    total = _total_steps(cfg, len(train.ids))
    at_stage, at_epoch = (resumed["stage"], resumed["epoch"]) if resumed else (1, 0)
    # the stages finished before the saved state; the state's last entry is the current stage's
    trainer.done = resumed["results"][:-1] if resumed else []
    current = resumed["results"][-1] if resumed else None

    def resumed_stage(stage: int) -> Resumed | None:
        if resumed is None or stage != at_stage or at_epoch == 0:
            return None
        return Resumed(current, at_epoch, resumed["trainer"]["optimizer"], resumed["best_state"])

    if cfg.stage1_epochs and at_stage == 1:
        frozen = net.freeze_backbone()
        cached = cfg.stage1_probe or not cfg.augment
        if not _logged_stage(run, 1):
            run.log_metrics(kind="stage", stage=1, epochs=cfg.stage1_epochs, lr=None if cfg.stage1_probe else cfg.stage1_lr,
                            probe=cfg.stage1_probe, c=cfg.stage1_c, frozen_params=frozen,
                            trainable_params=sum(p.numel() for p in net.trainable()), cached_features=cached)
        if cached:  # the un-augmented pictures: the probe fits the features the network sees when predicting
            trainer.cache_features(train)
            trainer.cache_features(valid)
        scaler, l2 = None, None
        if cfg.stage1_probe:
            scaler = probe.Scaler.fit(train.features)
            train.features, valid.features = scaler(train.features), scaler(valid.features)
            l2 = probe.penalty_weight(cfg.stage1_c, len(train.ids), len(labels))
        trainer.done.append(trainer.stage(1, cfg.stage1_epochs, cfg.stage1_lr, train, valid, total,
                                          resumed_stage(1), l2=l2))
        if scaler is not None:  # the head takes raw features again
            scaler.fold(probe.linear_layer(net.head_modules()))
        train.features = valid.features = None
        _save_checkpoint(trainer, labels, trainer.done[-1])
        if cfg.stage2_epochs:  # the state between the stages: stage 2 starts from this network
            trainer.save_resume(2, 0, None, StageResult(2), None)
            trainer.pause_if_asked(cfg.stage1_epochs)
    if cfg.stage2_epochs:
        unfrozen = net.unfreeze_from(cfg.fine_tune_at)
        if not _logged_stage(run, 2):
            run.log_metrics(kind="stage", stage=2, epochs=cfg.stage2_epochs, lr=cfg.stage2_lr,
                            fine_tune_at=cfg.fine_tune_at, layers=len(net.layers), unfrozen_tensors=len(unfrozen),
                            trainable_params=sum(p.numel() for p in net.trainable()), cached_features=False)
        trainer.done.append(trainer.stage(2, cfg.stage2_epochs, cfg.stage2_lr, train, valid, total,
                                          resumed_stage(2)))
        _save_checkpoint(trainer, labels, trainer.done[-1])
    return trainer.done


def _logged_stage(run: RunDir, stage: int) -> bool:
    """metrics.jsonl already has this stage's start row (a run resumed at the stage's start)."""
    return any(r.get("kind") == "stage" and r.get("stage") == stage for r in run.metrics())


def _save_checkpoint(trainer: Trainer, labels: list[str], result: StageResult) -> None:
    assert result.best is not None
    folder = trainer.run.checkpoint_dir(result.best["step"])
    modeling.save(trainer.net, labels, trainer.recipe, folder)
    state = {k: v for k, v in result.best.items() if k != "probs"}
    (folder / "state.json").write_text(json.dumps(state) + "\n", encoding="utf-8")


def build(run: RunDir, cfg: ImageClassificationConfig, meta: dict[str, Any]) -> Trainer:
    base_path = Path(meta["base_path"])
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net = modeling.load(base_path, len(meta["labels"]), cfg.dropout, cfg.seed).to(device)
    recipe = modeling.preprocessing(base_path, cfg.image_size)
    return Trainer(run, cfg, net, recipe, device, torch.Generator().manual_seed(cfg.seed))


def _versions() -> dict[str, str]:
    from importlib import metadata

    return {name: metadata.version(name) for name in ("torch", "safetensors", "pillow", "numpy")}


def train_run(run: RunDir, resume: bool = False) -> dict[str, Any]:
    """``resume``: the job runner's restart after a crash or its resume after a pause: the run goes
    on after the last epoch whose state was saved (from the beginning when none was)."""
    cfg = config_module.load(run.path)
    resumed = read_resume(run) if resume else None
    # each step once in metrics.jsonl: a resumed run drops the rows after its state, a fresh one all
    run.keep_metrics_through(resumed["step"] if resumed else -1)
    meta = run.read_meta()
    labels: list[str] = meta["labels"]
    label_id = {label: i for i, label in enumerate(labels)}
    run.update_meta(versions=_versions())
    trainer = build(run, cfg, meta)
    train_items = data.read_csv(run.path / "data" / "train.csv")
    valid_items = data.read_csv(run.path / "data" / "valid.csv")
    started = time.perf_counter()
    train, valid = _split(train_items, label_id, cfg.image_size), _split(valid_items, label_id, cfg.image_size)
    if resumed is not None:
        trainer.net.model.load_state_dict(resumed["net"])
        trainer.generator.set_state(resumed["trainer"]["generator"])
        torch.set_rng_state(resumed["trainer"]["rng"])
        trainer.step = resumed["step"]
        started -= resumed.get("seconds", 0.0)
        run.log_event(f"Resumed after stage {resumed['stage'] if resumed['epoch'] else resumed['stage'] - 1}, "
                      f"epoch {resumed['epoch'] or cfg.stage1_epochs} (step {resumed['step']}).")
    else:
        run.log_metrics(kind="start", total_steps=_total_steps(cfg, len(train.ids)),
                        train_examples=len(train.ids), valid_examples=len(valid.ids), device=str(trainer.device),
                        layers=len(trainer.net.layers), load_seconds=round(time.perf_counter() - started, 2))
    trainer.clock = started
    results = run_stages(trainer, train, valid, labels, resumed)
    shutil.rmtree(run.path / "checkpoints" / RESUME, ignore_errors=True)  # trained: nothing left to resume
    run.log_metrics(kind="phase", phase="report")
    last = results[-1]
    if run.final_dir.exists():
        shutil.rmtree(run.final_dir)
    modeling.save(trainer.net, labels, trainer.recipe, run.final_dir)
    from afinar.tasks.image_classification import report

    result = report.write(run, cfg, meta, valid_items, valid.ids.tolist(), results,
                          train_seconds=time.perf_counter() - started, device=str(trainer.device))
    run.log_event(f"The job has successfully completed: stage {last.stage}, epoch {last.best['epoch']}, "
                  f"validation accuracy={result['final']['accuracy']:.3f}.")
    return result


def main(argv: list[str] | None = None) -> int:
    return child_main("afinar.tasks.image_classification.train", argv, train_run, lambda result: {
        "metrics": {k: result["final"][k] for k in ("accuracy", "precision", "recall", "f1")},
        "stages": {s["stage"]: {k: s[k] for k in ("accuracy", "valid_loss")} for s in result["stages"]}}, attach=attach)


if __name__ == "__main__":
    sys.exit(main())

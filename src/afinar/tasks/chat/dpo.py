"""Preference fine-tuning (DPO, Rafailov et al. 2023; OpenAI's ``method: dpo``), run by
``python -m afinar.tasks.chat.train RUN_DIR`` when the run's method is ``dpo`` or ``dpo-full``.

Each pair is a conversation (``input.messages``, ending with the user's turn) and two assistant
replies, the preferred one and the other. Both replies are rendered after the conversation with
the model's chat template and only the reply's tokens count (earlier assistant turns of the
conversation are context, not targets: ``weight: 0``). With π the model being trained (the base
plus LoRA adapters) and π_ref the reference (the same model with the adapters switched off — no
second copy of the weights), the loss of a pair is::

    −log σ(β · ((log π(y⁺) − log π_ref(y⁺)) − (log π(y⁻) − log π_ref(y⁻))))

where log π(y) sums the log-probabilities of the reply's tokens. The reference never changes, so
its log-probabilities are computed once, before the first step. With ``dpo-full`` every weight
trains and the reference is the weights as loaded: the same single pass, taken before the first
step (and before a checkpoint is loaded on resume), so no frozen copy is kept either. A step
packs the chosen and rejected replies of ``batch_size`` pairs into one padding-free row, as
supervised training does.
Logged per step: the loss, reward accuracy (the share of pairs whose preferred reply gains more
than the other, the implicit reward being β · (log π − log π_ref)), the mean reward margin and
the mean rewards of each side; at the end of each epoch the same on the validation pairs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from afinar.data.preference import read_pairs
from afinar.tasks.chat.data import Tokenized, tokenize_example


@dataclass
class Pair:
    chosen: Tokenized
    rejected: Tokenized


def tokenize_pair(tokenizer: Any, pair: dict, max_length: int) -> Pair:
    """The two replies after the conversation; only each reply's tokens are targets."""
    context = [{**m, "weight": 0} if m.get("role") == "assistant" else m for m in pair["messages"]]

    def one(reply: dict) -> Tokenized:
        example = {"messages": context + [{**reply, "role": "assistant"}]}
        if pair.get("tools"):
            example["tools"] = pair["tools"]
        return tokenize_example(tokenizer, example, max_length)

    return Pair(one(pair["chosen"]), one(pair["rejected"]))


def _chunk_logps(hidden: Any, weight: Any, bias: Any, targets: Any) -> Any:
    import torch.nn.functional as F

    logits = F.linear(hidden, weight, bias).float()
    return -F.cross_entropy(logits, targets, reduction="none")


def precision(autocast: Any) -> Any:
    """The forward's context: autocast to ``autocast`` (a dtype) on CUDA, or nothing."""
    import contextlib

    import torch

    return torch.autocast("cuda", dtype=autocast) if autocast is not None else contextlib.nullcontext()


def sequence_logps(model: Any, sequences: list[Tokenized], device: Any, autocast: Any = None) -> Any:
    """Σ log π(target) of each sequence (one packed row, no padding): a tensor of len(sequences)."""
    import torch
    from torch.utils.checkpoint import checkpoint

    from afinar.tasks.chat.data import collate
    from afinar.tasks.chat.modeling import LOSS_CHUNK, target_states

    batch = collate(sequences, device)
    owner = torch.tensor([i for i, s in enumerate(sequences) for _ in s.input_ids], device=device)
    with precision(autocast):
        head, hidden, targets, keep = target_states(model, batch)
    owner = owner.index_select(0, keep)
    per_token = []
    with precision(autocast):
        for start in range(0, len(keep), LOSS_CHUNK):
            per_token.append(checkpoint(_chunk_logps, hidden[start:start + LOSS_CHUNK], head.weight, head.bias,
                                        targets[start:start + LOSS_CHUNK], use_reentrant=False))
    logps = torch.cat(per_token) if per_token else hidden.new_zeros(0, dtype=torch.float32)
    return torch.zeros(len(sequences), device=device, dtype=torch.float32).index_add(0, owner, logps)


def pair_logps(model: Any, pairs: list[Pair], device: Any, autocast: Any = None) -> tuple[Any, Any]:
    """(log π(chosen), log π(rejected)) of each pair, from one packed row."""
    logps = sequence_logps(model, [s for p in pairs for s in (p.chosen, p.rejected)], device, autocast)
    return logps[0::2], logps[1::2]


def reference_logps(model: Any, pairs: list[Pair], batch_size: int, device: Any,
                    autocast: Any = None) -> list[tuple[float, float]]:
    """The reference's (chosen, rejected) log-probabilities of every pair. With LoRA: the model
    with its adapters switched off. Without (``dpo-full``): the model as it is, so this must run
    before the first step — the weights it starts from are the reference, and no copy is kept."""
    import contextlib

    import torch
    from peft import PeftModel

    out: list[tuple[float, float]] = []
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), model.disable_adapter() if isinstance(model, PeftModel) else contextlib.nullcontext():
            for start in range(0, len(pairs), batch_size):
                chosen, rejected = pair_logps(model, pairs[start:start + batch_size], device, autocast)
                out += list(zip(chosen.tolist(), rejected.tolist()))
    finally:
        model.train(was_training)
    return out


def dpo_loss(chosen: Any, rejected: Any, ref_chosen: Any, ref_rejected: Any, beta: float) -> tuple[Any, dict]:
    """The mean DPO loss of a batch and its metrics (reward accuracy, margin, each side's reward)."""
    import torch.nn.functional as F

    reward_chosen = beta * (chosen - ref_chosen)
    reward_rejected = beta * (rejected - ref_rejected)
    margin = reward_chosen - reward_rejected
    loss = -F.logsigmoid(margin).mean()
    margin, reward_chosen, reward_rejected = margin.detach(), reward_chosen.detach(), reward_rejected.detach()
    return loss, {"reward_accuracy": float((margin > 0).float().mean()), "reward_margin": float(margin.mean()),
                  "reward_chosen": float(reward_chosen.mean()), "reward_rejected": float(reward_rejected.mean())}


def train_step(model: Any, params: list, optimizer: Any, scheduler: Any, batch: list[Pair],
               refs: list[tuple[float, float]], beta: float, device: Any, autocast: Any = None) -> tuple[float, dict]:
    """One optimizer step on ``batch`` (its pairs' reference log-probabilities in ``refs``): the
    loss and its metrics. The training loop's step, and what bench/bench_dpo.py times."""
    import torch

    from afinar.tasks.chat.train import CLIP_NORM

    chosen, rejected = pair_logps(model, batch, device, autocast)
    loss, metrics = dpo_loss(chosen, rejected, torch.tensor([r[0] for r in refs], device=device),
                             torch.tensor([r[1] for r in refs], device=device), beta)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, CLIP_NORM)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss), metrics


def evaluate_pairs(model: Any, pairs: list[Pair], refs: list[tuple[float, float]], beta: float, batch_size: int,
                   device: Any, autocast: Any = None) -> dict[str, float]:
    """Loss and reward metrics over ``pairs`` (weighted by pair), without gradients."""
    import torch

    totals: dict[str, float] = {}
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for start in range(0, len(pairs), batch_size):
                chunk, ref = pairs[start:start + batch_size], refs[start:start + batch_size]
                chosen, rejected = pair_logps(model, chunk, device, autocast)
                loss, metrics = dpo_loss(chosen, rejected, torch.tensor([r[0] for r in ref], device=device),
                                         torch.tensor([r[1] for r in ref], device=device), beta)
                for key, value in {"loss": float(loss), **metrics}.items():
                    totals[key] = totals.get(key, 0.0) + value * len(chunk)
    finally:
        model.train(was_training)
    return {k: v / max(1, len(pairs)) for k, v in totals.items()}


def train(run: Any, resume: bool = False) -> dict[str, Any]:
    """The DPO loop over a prepared run (one process; checkpoints, pause and resume as in SFT)."""
    import torch

    from afinar.engine import checkpoint
    from afinar.engine.distributed import World
    from afinar.tasks.chat import modeling
    from afinar.tasks.chat import train as sft
    from afinar.tasks.chat.config import (
        ADAPTER_METHODS,
        ResolvedChatConfig,
        steps_per_epoch,
    )

    world = World.init()
    cfg = ResolvedChatConfig(**run.read_config())
    tokenizer, model, _, device, fallback = sft.build(cfg, world)
    train_pairs = [tokenize_pair(tokenizer, p, cfg.max_length) for p in read_pairs(run.path / "data" / "train.jsonl")]
    valid_path = run.path / "data" / "valid.jsonl"
    valid_pairs = ([tokenize_pair(tokenizer, p, cfg.max_length) for p in read_pairs(valid_path)]
                   if valid_path.exists() else [])
    # all the weights (dpo-full): float32 master weights computing in bf16/fp16 on a GPU, as full SFT
    autocast = modeling.pick_device()[1] if cfg.method == "dpo-full" and device.type == "cuda" else None
    started = time.perf_counter()
    # before any checkpoint is loaded: without adapters, the model as loaded is the reference
    refs = reference_logps(model, train_pairs, cfg.batch_size, device, autocast)
    valid_refs = reference_logps(model, valid_pairs, cfg.batch_size, device, autocast)
    run.log_event(f"Reference log-probabilities of {len(refs) + len(valid_refs)} pairs computed "
                  f"({'adapters off' if cfg.method in ADAPTER_METHODS else 'the starting weights'}) "
                  f"in {time.perf_counter() - started:.1f} s")
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=0.0)
    spe = steps_per_epoch(len(train_pairs), cfg.batch_size)
    total = cfg.epochs * spe
    scheduler = sft.make_schedule(optimizer, total)
    step, trained_tokens = 0, 0
    last = run.last_checkpoint() if resume else None
    if last is not None:
        state = checkpoint.load(last, model, optimizer, scheduler)
        step, trained_tokens = state["step"], state["trained_tokens"]
        run.log_event(f"Resumed from checkpoint at step {step}")
        run.keep_metrics_through(step)
    run.update_meta(status="running", started_at=int(time.time()), total_steps=total, processes=1, sharded=False,
                    chat_template_fallback=fallback,
                    truncated_examples=sum(p.chosen.truncated or p.rejected.truncated for p in train_pairs))
    progress = sft._Progress(total, step)
    while step < total:
        epoch, index = divmod(step, spe)
        ids = sft.epoch_order(len(train_pairs), cfg.seed, epoch)[index * cfg.batch_size:(index + 1) * cfg.batch_size]
        batch = [train_pairs[i] for i in ids]
        value, metrics = train_step(model, params, optimizer, scheduler, batch, [refs[i] for i in ids], cfg.beta,
                                    device, autocast)
        step += 1
        row = sum(len(p.chosen.input_ids) + len(p.rejected.input_ids) for p in batch)
        trained_tokens += row
        run.log_metrics(step=step, epoch=epoch + 1, train_loss=round(value, 6),
                        train_reward_accuracy=round(metrics["reward_accuracy"], 6),
                        train_reward_margin=round(metrics["reward_margin"], 6),
                        train_reward_chosen=round(metrics["reward_chosen"], 6),
                        train_reward_rejected=round(metrics["reward_rejected"], 6),
                        learning_rate=scheduler.get_last_lr()[0], trained_tokens=trained_tokens)
        if step == 1 or step % sft.LOG_EVERY == 0 or step == total:
            run.log_event(f"Step {step}/{total}: training loss={value:.4f}, reward accuracy="
                          f"{metrics['reward_accuracy']:.2f}, margin={metrics['reward_margin']:.3f}", step=step,
                          total_steps=total, train_loss=round(value, 6))
        progress.advance(step, row, value)
        if step % spe == 0:
            if valid_pairs:
                valid = evaluate_pairs(model, valid_pairs, valid_refs, cfg.beta, cfg.batch_size, device, autocast)
                run.log_metrics(step=step, valid_loss=round(valid["loss"], 6),
                                valid_reward_accuracy=round(valid["reward_accuracy"], 6),
                                valid_reward_margin=round(valid["reward_margin"], 6))
            if sft.checkpoint_epoch(step // spe, cfg.epochs, cfg.keep_checkpoints):
                checkpoint.save(run.checkpoint_dir(step), model, optimizer, scheduler,
                                {"step": step, "trained_tokens": trained_tokens})
                run.prune_checkpoints(cfg.keep_checkpoints)
                run.log_event(f"Checkpoint created at step {step}", step=step)
        if step < total and run.pause_requested():
            if step % spe != 0:
                checkpoint.save(run.checkpoint_dir(step), model, optimizer, scheduler,
                                {"step": step, "trained_tokens": trained_tokens})
            run.update_meta(status="paused", paused_at=int(time.time()), paused_step=step)
            run.log_event(f"Fine-tuning job paused at step {step}", step=step)
            progress.close()
            world.close()
            return run.read_meta()
    progress.close()
    meta = _finish(run, cfg, model, tokenizer, train_pairs, refs, valid_pairs, valid_refs, device, trained_tokens,
                   autocast)
    world.close()
    return meta


def _finish(run: Any, cfg: Any, model: Any, tokenizer: Any, train_pairs: list[Pair], refs: list, valid_pairs: list[Pair],
            valid_refs: list, device: Any, trained_tokens: int, autocast: Any = None) -> dict[str, Any]:
    from afinar.tasks.chat.card import write_model_card

    final = run.final_dir
    final.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(final), safe_serialization=True)
    tokenizer.save_pretrained(str(final))
    summary = evaluate_pairs(model, train_pairs, refs, cfg.beta, cfg.batch_size, device, autocast)
    held_out = (evaluate_pairs(model, valid_pairs, valid_refs, cfg.beta, cfg.batch_size, device, autocast)
                if valid_pairs else None)
    write_results_csv(run)
    meta = run.update_meta(status="succeeded", finished_at=int(time.time()), trained_tokens=trained_tokens,
                           full_valid_loss=held_out["loss"] if held_out else None, error=None,
                           evaluation=None, preference={"train": summary, "valid": held_out})
    write_model_card(run, cfg, meta)
    run.log_event(f"Preference check: the preferred reply gains more on {summary['reward_accuracy']:.0%} of the "
                  f"training pairs" + (f" and {held_out['reward_accuracy']:.0%} of the held-out pairs"
                                       if held_out else ""), **{f"train_{k}": v for k, v in summary.items()})
    run.log_event(f"New fine-tuned model created: {cfg.model_id}")
    run.log_event("The job has successfully completed")
    return meta


FIELDS = ["step", "train_loss", "train_reward_accuracy", "train_reward_margin", "train_reward_chosen",
          "train_reward_rejected", "valid_loss", "valid_reward_accuracy", "valid_reward_margin"]


def write_results_csv(run: Any) -> None:
    """The results file of a DPO job: one row per step (validation on the epochs' last steps)."""
    import csv

    rows: dict[int, dict[str, Any]] = {}
    for m in run.metrics():
        rows.setdefault(m["step"], {"step": m["step"]}).update({k: v for k, v in m.items() if k in FIELDS})
    with open(run.path / "results.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for step in sorted(rows):
            writer.writerow({k: rows[step].get(k, "") for k in FIELDS})

"""Chat fine-tuning, read top to bottom: ``python -m afinar.tasks.chat.train RUN_DIR [--resume]``.

The parent (`afinar train chat`, or the job worker) resolves the configuration into RUN_DIR and
starts this module as a subprocess. Steps: load the tokenizer and the model (LoRA adapters by
default), tokenize with assistant-only loss masks, then for each step pack ``batch_size`` examples
into one row (no padding, no attention across examples), take an AdamW step, and log. At the end
of every epoch: evaluate, save a checkpoint (the last ``keep_checkpoints`` are kept). Finally save
the weights, OpenAI's results.csv and a model card, and mark the run succeeded. Any failure is
written to meta.json with a message that says what to change.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.engine import checkpoint
from afinar.engine.distributed import World
from afinar.engine.rundir import RunDir
from afinar.jobs.child import attach
from afinar.tasks.chat import modeling
from afinar.tasks.chat.card import write_model_card
from afinar.tasks.chat.config import (
    ADAPTER_METHODS,
    DPO_METHODS,
    ResolvedChatConfig,
    steps_per_epoch,
)
from afinar.tasks.chat.data import Tokenized, collate, tokenize_example
from afinar.tasks.chat.evaluation import (
    CHECK_MAX_TOKENS,
    Evaluation,
    evaluate_model,
    pick_checks,
    shared_system_prompt,
)

LOG_EVERY = 10  # an event line every N steps (plus the first and last)
CLIP_NORM = 1.0
# A many-epoch run of a small set checkpoints every few epochs (at most about this many spaced
# ones), plus each of the last ``keep_checkpoints`` epochs: the ones kept anyway.
SPACED_CHECKPOINTS = 5
WARMUP_FRACTION = 0.05


def read_examples(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def tokenize_all(tokenizer: Any, path: Path, max_length: int) -> list[Tokenized]:
    return [tokenize_example(tokenizer, ex, max_length) for ex in read_examples(path)]


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    """The example order of one epoch: a function of (seed, epoch) only, so a resumed run
    sees exactly the batches an uninterrupted one would."""
    order = list(range(n))
    random.Random(seed * 1_000_003 + epoch).shuffle(order)
    return order


def make_schedule(optimizer: Any, total: int) -> Any:
    """transformers' linear schedule (the text-classification task's and HF Trainer's): warm-up from
    zero over the first 5 % of the steps (at least one), then linear decay to zero at ``total``. A
    one-step run has no warm-up, or its only step would have a learning rate of zero."""
    from transformers import get_linear_schedule_with_warmup

    warmup = max(1, int(total * WARMUP_FRACTION)) if total > 1 else 0
    return get_linear_schedule_with_warmup(optimizer, warmup, total)


def evaluate(forward: Any, data: list[Tokenized], batch_size: int, device: Any, world: World,
             lockstep: bool = False) -> tuple[float, float]:
    """(mean loss, mean token accuracy) over ``data``, each process taking every ``world.size``-th
    batch. With ``lockstep`` (sharded models) every process runs the same number of passes."""
    import torch

    if not data:
        return float("nan"), float("nan")
    batches = [data[start:start + batch_size] for start in range(0, len(data), batch_size)]
    mine = world.shard(batches)
    if lockstep:
        rounds = -(-len(batches) // world.size)
        mine = [(b, 1.0) for b in mine] + [(batches[0], 0.0)] * (rounds - len(mine))
    else:
        mine = [(b, 1.0) for b in mine]
    loss_sum, tokens, correct = 0.0, 0, 0
    with torch.no_grad():
        for rows, weight in mine:
            loss, n, right = forward(collate(rows, device))
            loss_sum, tokens, correct = loss_sum + weight * float(loss), tokens + weight * n, correct + weight * right
    loss_sum, tokens, correct = world.sum(loss_sum, tokens, correct)
    return loss_sum / max(1, tokens), correct / max(1, tokens)


def build(cfg: ResolvedChatConfig, world: World) -> tuple[Any, Any, Any, Any, bool]:
    """(tokenizer, model, the loss function to call on a batch, device, chat-template fallback)."""
    import torch

    device, dtype = modeling.pick_device()
    torch.manual_seed(cfg.seed)
    tokenizer, fallback = modeling.load_tokenizer(cfg.model_path)
    if cfg.method == "qlora":
        model = modeling.load_model_4bit(cfg.model_path, dtype, device, cfg.gradient_checkpointing)
    else:  # a sharded model is loaded on the CPU and moved shard by shard
        model = modeling.load_model(cfg.model_path, dtype if cfg.method in ("lora", "dpo") else torch.float32,
                                    torch.device("cpu") if cfg.fsdp else device)
    if cfg.method in ADAPTER_METHODS:
        model = modeling.add_lora(model, cfg.lora_r, cfg.lora_alpha, cfg.lora_dropout)
    if cfg.neftune_alpha > 0:
        modeling.add_neftune(model, cfg.neftune_alpha)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if cfg.method in ADAPTER_METHODS:
            modeling.causal_lm(model).enable_input_require_grads()
    model.train()
    if cfg.fsdp:
        from afinar.engine import fsdp

        # on GPUs every shard group computes in bf16 (uniform, whatever mix of bf16 base and float32
        # adapters it holds) and reduces gradients in float32
        mixed = dtype if device.type == "cuda" else None
        root = fsdp.shard(model, modeling.packed_loss, device, param_dtype=mixed)
        return tokenizer, model, root, device, fallback
    if cfg.method not in ("lora", "dpo") and device.type == "cuda":
        # full: float32 master weights; QLoRA: bitsandbytes keeps norms and the head in float32.
        # Both compute in bf16/fp16 under autocast.

        def forward(batch: dict[str, Any]) -> tuple[Any, int, int]:
            with torch.autocast("cuda", dtype=dtype):
                return modeling.packed_loss(model, batch)

        return tokenizer, model, forward, device, fallback
    return tokenizer, model, lambda batch: modeling.packed_loss(model, batch), device, fallback


def train(run: RunDir, resume: bool = False) -> dict[str, Any]:
    import torch

    if run.read_config().get("method") in DPO_METHODS:  # preference fine-tuning: its own loop (afinar.tasks.chat.dpo)
        from afinar.tasks.chat import dpo

        return dpo.train(run, resume)

    world = World.init()
    cfg = ResolvedChatConfig(**run.read_config())
    tokenizer, model, forward, device, fallback = build(cfg, world)
    sharded = cfg.fsdp and world.size > 1
    train_set = tokenize_all(tokenizer, run.path / "data" / "train.jsonl", cfg.max_length)
    valid_path = run.path / "data" / "valid.jsonl"
    valid_set = tokenize_all(tokenizer, valid_path, cfg.max_length) if valid_path.exists() else []
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=0.0)
    spe = steps_per_epoch(len(train_set), cfg.batch_size)
    total = cfg.epochs * spe
    scheduler = make_schedule(optimizer, total)
    step, trained_tokens = 0, 0
    last = run.last_checkpoint() if resume else None
    if last is not None:
        state = checkpoint.load(last, model, optimizer, scheduler)
        step, trained_tokens = state["step"], state["trained_tokens"]
        if world.is_main:
            run.log_event(f"Resumed from checkpoint at step {step}")
    # the training passes all-reduce gradients during backward (sharded: FSDP already does)
    step_forward = forward if sharded else world.data_parallel(model, forward, device)
    if resume and world.is_main:  # the steps after the checkpoint run again: their old rows go
        run.keep_metrics_through(step)
    if world.is_main:
        run.update_meta(status="running", started_at=int(time.time()), total_steps=total, processes=world.size,
                        sharded=sharded,
                        chat_template_fallback=fallback,
                        truncated_examples=sum(ex.truncated for ex in train_set))
    progress = _Progress(total, step) if world.is_main else None
    while step < total:
        epoch, index = divmod(step, spe)
        ids = epoch_order(len(train_set), cfg.seed, epoch)[index * cfg.batch_size:(index + 1) * cfg.batch_size]
        mine = world.shard([train_set[i] for i in ids])
        loss_sum, n_mine, correct, row = _local_loss(step_forward, mine, device, train_set[ids[0]])
        n_tokens, loss_total, correct, row = world.sum(n_mine, float(loss_sum.detach()), correct, row)
        # DDP and FSDP average the gradients over the processes; the loss wants their sum
        (loss_sum * world.size / max(1, n_tokens)).backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP_NORM)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        trained_tokens += int(row)
        loss = loss_total / max(1, n_tokens)
        if world.is_main:
            run.log_metrics(step=step, epoch=epoch + 1, train_loss=round(loss, 6),
                            train_mean_token_accuracy=round(correct / max(1, n_tokens), 6),
                            learning_rate=scheduler.get_last_lr()[0], trained_tokens=trained_tokens)
            if step == 1 or step % LOG_EVERY == 0 or step == total:
                run.log_event(f"Step {step}/{total}: training loss={loss:.4f}", step=step, total_steps=total,
                              train_loss=round(loss, 6),
                              train_mean_token_accuracy=round(correct / max(1, n_tokens), 6))
            progress.advance(step, int(row), loss)
        if step % spe == 0:
            _end_of_epoch(run, cfg, model, forward, optimizer, scheduler, valid_set, device, world, step,
                          trained_tokens)
            world.barrier()
        if step < total and world.sum(1.0 if run.pause_requested() else 0.0)[0] > 0:
            # a pause request (the job queue's pause): keep this exact step, then stop cleanly
            if step % spe != 0:
                checkpoint.save(run.checkpoint_dir(step), model, optimizer, scheduler,
                                {"step": step, "trained_tokens": trained_tokens}, write=world.is_main)
            if world.is_main:
                run.update_meta(status="paused", paused_at=int(time.time()), paused_step=step)
                run.log_event(f"Fine-tuning job paused at step {step}", step=step)
                progress.close()
            world.barrier()
            world.close()
            return run.read_meta()
    if progress is not None:
        progress.close()
    meta = _finish(run, cfg, model, forward, tokenizer, valid_set, device, world, trained_tokens)
    world.barrier()
    world.close()
    return meta


def _local_loss(forward: Any, rows: list[Tokenized], device: Any,
                borrowed: Tokenized) -> tuple[Any, int, int, int]:
    """(summed loss, target tokens, correct, row tokens) of this process's share of a step. A process
    with no share runs a zero-weighted pass on ``borrowed`` (DDP and FSDP need every process in every
    pass; its gradients are zeros)."""
    if not rows:
        loss_sum, _, _ = forward(collate([borrowed], device))
        return loss_sum * 0.0, 0, 0, 0
    batch = collate(rows, device)
    loss_sum, n_tokens, correct = forward(batch)
    return loss_sum, n_tokens, correct, int(batch["input_ids"].shape[1])


def checkpoint_epoch(epoch: int, epochs: int, keep: int) -> bool:
    """Whether the end of ``epoch`` (1-based) saves a checkpoint."""
    every = max(1, epochs // SPACED_CHECKPOINTS)
    return epoch % every == 0 or epoch > epochs - keep


def _end_of_epoch(run: RunDir, cfg: ResolvedChatConfig, model: Any, forward: Any, optimizer: Any, scheduler: Any,
                  valid_set: list[Tokenized], device: Any, world: World, step: int, trained_tokens: int) -> None:
    """Every process takes part (evaluation and gathering are collective); the main one writes."""
    if valid_set:
        valid_loss, valid_acc = _evaluate(model, forward, cfg, valid_set, device, world)
        if world.is_main:
            run.log_metrics(step=step, valid_loss=round(valid_loss, 6), valid_mean_token_accuracy=round(valid_acc, 6))
    if not checkpoint_epoch(step // steps_per_epoch(cfg.train_examples, cfg.batch_size), cfg.epochs,
                            cfg.keep_checkpoints):
        return
    checkpoint.save(run.checkpoint_dir(step), model, optimizer, scheduler,
                    {"step": step, "trained_tokens": trained_tokens}, write=world.is_main)
    if world.is_main:
        run.prune_checkpoints(cfg.keep_checkpoints)
        run.log_event(f"Checkpoint created at step {step}", step=step)


def _evaluate(model: Any, forward: Any, cfg: ResolvedChatConfig, data: list[Tokenized], device: Any,
              world: World) -> tuple[float, float]:
    model.eval()
    try:
        return evaluate(forward, data, cfg.batch_size, device, world, lockstep=cfg.fsdp)
    finally:
        model.train()
        if cfg.fsdp:  # a forward without backward leaves the root group gathered (and, on GPUs, in bf16)
            forward.reshard()


def _finish(run: RunDir, cfg: ResolvedChatConfig, model: Any, forward: Any, tokenizer: Any,
            valid_set: list[Tokenized], device: Any, world: World, trained_tokens: int) -> dict[str, Any]:
    full_valid_loss = _evaluate(model, forward, cfg, valid_set, device, world)[0] if valid_set else None
    whole = None
    if cfg.fsdp:  # gathered whole for the main process; an adapter needs only the trained weights
        whole = (checkpoint.trainable_state(model, keep=world.is_main) if cfg.method in ADAPTER_METHODS
                 else _whole_state_dict(model))
    if not world.is_main:
        return {}
    final = run.final_dir
    final.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(final), safe_serialization=True, **({"state_dict": whole} if whole else {}))
    tokenizer.save_pretrained(str(final))
    evaluation = None if cfg.fsdp else check_answers(run, model, tokenizer)
    if cfg.fsdp:
        run.log_event(i18n.t("chat.eval.skipped_sharded", "en"))
    write_results_csv(run, evaluation)
    meta = run.update_meta(status="succeeded", finished_at=int(time.time()), trained_tokens=trained_tokens,
                           full_valid_loss=full_valid_loss, error=None,
                           evaluation=_evaluation_summary(evaluation))
    write_model_card(run, cfg, meta)
    run.log_event(f"New fine-tuned model created: {cfg.model_id}")
    run.log_event("The job has successfully completed")
    return meta


def check_answers(run: RunDir, model: Any, tokenizer: Any) -> Evaluation | None:
    """Ask the tuned model the check questions (see tasks/chat/evaluation.py), with the training
    system prompt when the data shares one; written to evaluation.json and the job's events."""
    from afinar.tasks.chat.predict import generate

    train_set = read_examples(run.path / "data" / "train.jsonl")
    valid_path, checks_path = run.path / "data" / "valid.jsonl", run.path / "data" / "eval_prompts.jsonl"
    source, cases = pick_checks(checks_path if checks_path.exists() else None,
                                read_examples(valid_path) if valid_path.exists() else [], train_set)
    if not cases:
        return None
    model.eval()

    def answer(messages: list[dict]) -> str:
        return generate(model, tokenizer, messages, max_new_tokens=CHECK_MAX_TOKENS)["text"]

    result = evaluate_model(answer, source, cases, shared_system_prompt(train_set), train_set)
    (run.path / "evaluation.json").write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=1),
                                              encoding="utf-8")
    rate = (f"{result.nonword_rate:.1%}" if result.nonword_rate is not None
            else i18n.t("chat.eval.nonwords_unmeasured", "en"))
    run.log_event(i18n.t("chat.eval.result", "en", checks=result.checks,
                         source=i18n.t(f"chat.eval.source.{source}", "en"), recalled=result.facts_recalled,
                         total=result.facts_total, nonwords=rate), **_evaluation_summary(result))
    return result


def _evaluation_summary(result: Evaluation | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"eval_source": result.source, "eval_checks": result.checks, "facts_recalled": result.facts_recalled,
            "facts_total": result.facts_total, "nonword_rate": result.nonword_rate, "language": result.language}


def _whole_state_dict(model: Any) -> dict[str, Any]:
    """The sharded model's state dict with every tensor whole, on the CPU of the main process only
    (a collective: every process calls it)."""
    from torch.distributed.checkpoint.state_dict import (
        StateDictOptions,
        get_model_state_dict,
    )

    return get_model_state_dict(model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))


def write_results_csv(run: RunDir, evaluation: Evaluation | None = None) -> None:
    """OpenAI's results file: step, train_loss, train_accuracy, valid_loss, valid_mean_token_accuracy;
    then Afinar's end-of-job check on the last row: facts recalled (a share) and the non-word rate."""
    rows: dict[int, dict[str, Any]] = {}
    for m in run.metrics():
        row = rows.setdefault(m["step"], {"step": m["step"]})
        if "train_loss" in m:
            row.update(train_loss=m["train_loss"], train_accuracy=m["train_mean_token_accuracy"])
        if "valid_loss" in m:
            row.update(valid_loss=m["valid_loss"], valid_mean_token_accuracy=m["valid_mean_token_accuracy"])
    fields = ["step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy",
              "eval_facts_recalled", "eval_nonword_rate"]
    if evaluation is not None and rows:
        rows[max(rows)].update(eval_facts_recalled=round(evaluation.recall or 0.0, 4),
                               eval_nonword_rate="" if evaluation.nonword_rate is None else evaluation.nonword_rate)
    with open(run.path / "results.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for step in sorted(rows):
            writer.writerow({k: rows[step].get(k, "") for k in fields})


class _Progress:
    """A progress line with tokens/s and ETA (rich), silent when stdout is not a terminal."""

    def __init__(self, total: int, done: int):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[speed]} tok/s · loss {task.fields[loss]}"),
                            TimeRemainingColumn(), transient=False)
        self.task = self.bar.add_task("train", total=total, completed=done, speed="-", loss="-")
        self.start, self.tokens = time.perf_counter(), 0
        self.bar.start()

    def advance(self, step: int, tokens: int, loss: float) -> None:
        self.tokens += tokens
        speed = self.tokens / max(1e-9, time.perf_counter() - self.start)
        self.bar.update(self.task, completed=step, speed=f"{speed:,.0f}", loss=f"{loss:.3f}")

    def close(self) -> None:
        self.bar.stop()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m afinar.tasks.chat.train")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    run = RunDir(args.run_dir)
    attach(run)  # its events go straight to its job's record
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` / a job cancel: stop like Ctrl-C, recorded
    try:
        train(run, resume=args.resume)
    except BaseException as err:  # noqa: BLE001 - record why, for the user and the job queue
        from afinar.tasks.chat.failures import describe

        message = describe(err)
        if os.environ.get("RANK", "0") != "0":  # only the main process writes the run's files
            print(message, file=sys.stderr)
            return 1
        run.update_meta(status="failed" if not isinstance(err, KeyboardInterrupt) else "cancelled",
                        error=message, finished_at=int(time.time()))
        run.log_event(message, level="error")
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

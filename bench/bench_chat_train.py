"""Benchmark: chat fine-tuning throughput of Afinar's trainer step against the peers a user would
pick, on the same model, the same data and the same machine, in the same run:

- TRL ``SFTTrainer`` with padding-free batches (``padding_free=True``: the batch flattened into one
  row with ``position_ids``, transformers' block-diagonal mask for SDPA, TRL's loss that never
  materialises the whole logits) — the strongest peer;
- Hugging Face Trainer + PEFT LoRA with default settings (pad to longest).

Data: variable-length chat-like examples (log-normal lengths around a median, the first 30 % of each
masked as prompt), like ../shared/bench/hf_peer_baseline.py but shorter for CPU. Every side trains
LoRA r=16/alpha 32 on all linear layers, batch 8 examples, AdamW, fp32 on CPU.
Ours: packed rows without padding or cross-example attention (afinar.engine.varlen), loss only on
target positions, chunked. Reported: real (non-pad) tokens/s after warm-up steps, and the ratio
ours / each peer. With ``--rounds 2`` or more the sides run alternately (ours, TRL, HF, then the
reverse order), so a change of machine load hits them alike; each side's rate is its median.

Usage: python bench/bench_chat_train.py [--models tiny,smollm2] [--steps 12] [--warm 3] [--median 160]
       [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import time
from typing import Any

import torch


def make_data(n: int, vocab: int, median: int, seed: int = 0, max_len: int = 1024) -> list[dict[str, list[int]]]:
    g = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        length = int(min(max_len, max(16, math.exp(torch.randn(1, generator=g).item() * 0.8 + math.log(median)))))
        ids = torch.randint(10, vocab, (length,), generator=g).tolist()
        prompt = max(1, int(length * 0.3))
        rows.append({"input_ids": ids, "labels": [-100] * prompt + ids[prompt:]})
    return rows


def build_model(name: str) -> Any:
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    if name == "tiny":
        cfg = LlamaConfig(vocab_size=8000, hidden_size=256, intermediate_size=688, num_hidden_layers=4,
                          num_attention_heads=8, num_key_value_heads=4, max_position_embeddings=2048,
                          attn_implementation="sdpa")
        return LlamaForCausalLM(cfg)
    from afinar import models

    return AutoModelForCausalLM.from_pretrained(str(models.resolve("smollm2-135m-instruct")), dtype=torch.float32,
                                                attn_implementation="sdpa", use_safetensors=True)


def with_lora(model: Any) -> Any:
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM"))


def clock(warm: int) -> Any:
    """A Trainer callback that starts timing after ``warm`` steps and stops at the end of training."""
    from transformers import TrainerCallback

    class Clock(TrainerCallback):
        def __init__(self) -> None:
            self.steps, self.t0, self.t1 = 0, None, None

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self.steps += 1
            if self.steps == warm:
                self.t0 = time.perf_counter()

        def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self.t1 = time.perf_counter()

    return Clock()


def timed_rate(data: list[dict], batch: int, steps: int, warm: int, timer: Any) -> dict[str, Any]:
    # The Trainer shuffles; count the timed steps' tokens from the same distribution (mean length).
    mean = sum(len(r["input_ids"]) for r in data) / len(data)
    tokens = mean * batch * (steps - warm)
    return {"tokens_per_s": tokens / (timer.t1 - timer.t0), "seconds": timer.t1 - timer.t0}


def hf_peer(name: str, data: list[dict], batch: int, steps: int, warm: int) -> dict[str, Any]:
    """HF Trainer + PEFT, default pad-to-longest batches."""
    from transformers import Trainer, TrainingArguments

    def collate(rows: list[dict]) -> dict[str, Any]:
        longest = max(len(r["input_ids"]) for r in rows)
        ids = torch.zeros(len(rows), longest, dtype=torch.long)
        labels = torch.full((len(rows), longest), -100)
        mask = torch.zeros(len(rows), longest, dtype=torch.long)
        for i, r in enumerate(rows):
            n = len(r["input_ids"])
            ids[i, :n], labels[i, :n], mask[i, :n] = torch.tensor(r["input_ids"]), torch.tensor(r["labels"]), 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}

    model = with_lora(build_model(name))
    timer = clock(warm)
    args = TrainingArguments(output_dir="/tmp/afinar-bench-peer", per_device_train_batch_size=batch, max_steps=steps,
                             learning_rate=1e-4, logging_steps=10**6, save_strategy="no", report_to=[],
                             remove_unused_columns=False, disable_tqdm=True, use_cpu=not torch.cuda.is_available(),
                             dataloader_num_workers=0, seed=0)
    Trainer(model=model, args=args, train_dataset=data, data_collator=collate, callbacks=[timer]).train()
    return timed_rate(data, batch, steps, warm, timer)


def trl_peer(name: str, data: list[dict], batch: int, steps: int, warm: int) -> dict[str, Any]:
    """TRL SFTTrainer, padding-free (one flattened row per batch), its own LoRA setup from the same
    LoraConfig, the already tokenized rows as they are (labels included, no EOS added)."""
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from afinar import models

    # only the pad token is read from it (no padding happens: the batch is one row); ids < 8000
    tokenizer = AutoTokenizer.from_pretrained(str(models.resolve("smollm2-135m-instruct")))
    args = SFTConfig(output_dir="/tmp/afinar-bench-trl", per_device_train_batch_size=batch, max_steps=steps,
                     learning_rate=1e-4, logging_steps=10**6, save_strategy="no", report_to=[],
                     disable_tqdm=True, use_cpu=not torch.cuda.is_available(), dataloader_num_workers=0, seed=0,
                     padding_free=True, max_length=None, dataset_kwargs={"skip_prepare_dataset": True},
                     # SFTConfig's own defaults are bf16 autocast and gradient checkpointing; every side here is
                     # fp32 without checkpointing
                     bf16=False, gradient_checkpointing=False)
    timer = clock(warm)
    trainer = SFTTrainer(model=build_model(name), args=args, train_dataset=Dataset.from_list(data),
                         processing_class=tokenizer, callbacks=[timer],
                         peft_config=LoraConfig(r=16, lora_alpha=32, target_modules="all-linear",
                                                task_type="CAUSAL_LM"))
    trainer.train()
    return timed_rate(data, batch, steps, warm, timer)


def time_steps(model: Any, data: list[dict], batch: int, steps: int, warm: int, device: Any = None,
               autocast: Any = None, tokens_per_step: int = 0) -> dict[str, Any]:
    """Afinar's training step (packed varlen rows + chunked loss on target positions) on ``model``
    (varlen attention already enabled): real tokens/s over the steps after ``warm``. A step takes
    ``batch`` examples, or as many as fit ``tokens_per_step`` when that is set."""
    import contextlib

    from afinar.tasks.chat.data import IGNORE, Tokenized, collate
    from afinar.tasks.chat.modeling import packed_loss

    device = device or torch.device("cpu")
    cuda = device.type == "cuda"
    model.train()
    examples = [Tokenized(r["input_ids"], r["labels"][1:] + [IGNORE], 0, False) for r in data]
    rows_of_steps, start = [], 0
    for _ in range(steps):
        if tokens_per_step:
            end, budget = start, 0
            while end < len(examples) and budget + len(examples[end].input_ids) <= tokens_per_step:
                budget += len(examples[end].input_ids)
                end += 1
            end = max(end, start + 1)
        else:
            end = start + batch
        rows_of_steps.append([examples[i % len(examples)] for i in range(start, end)])
        start = end
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4, fused=cuda or None)
    tokens, t0 = 0, None
    for step, rows in enumerate(rows_of_steps):
        if step == warm:
            if cuda:
                torch.cuda.synchronize()
            t0, tokens = time.perf_counter(), 0
        with torch.autocast("cuda", dtype=autocast) if autocast else contextlib.nullcontext():
            loss_sum, n, _ = packed_loss(model, collate(rows, device))
        (loss_sum / max(1, n)).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        tokens += sum(len(r.input_ids) for r in rows)
    if cuda:
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - t0
    return {"tokens_per_s": tokens / elapsed, "seconds": elapsed, "tokens": tokens}


def ours(name: str, data: list[dict], batch: int, steps: int, warm: int) -> dict[str, Any]:
    """Afinar's training step on the CPU, LoRA as in the peer."""
    from afinar.engine import varlen

    model = build_model(name)
    varlen.enable(model)
    return time_steps(with_lora(model), data, batch, steps, warm)


SIDES = {"ours": ours, "trl": trl_peer, "hf": hf_peer}


def measure(name: str, data: list[dict], args: argparse.Namespace) -> dict[str, list[float]]:
    """Every side's tokens/s, ``args.rounds`` times, alternating the order (ours, trl, hf, then back)."""
    rates: dict[str, list[float]] = {side: [] for side in SIDES}
    for round_ in range(args.rounds):
        order = list(SIDES) if round_ % 2 == 0 else list(reversed(SIDES))
        for side in order:
            rate = SIDES[side](name, data, args.batch, args.steps, args.warm)["tokens_per_s"]
            rates[side].append(rate)
            print(f"  {name} round {round_ + 1} {side}: {rate:.0f} tok/s  (load {_load()})", flush=True)
    return rates


def _load() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="tiny,smollm2")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--median", type=int, default=160, help="median example length in tokens")
    parser.add_argument("--max-len", type=int, default=1024, help="longest example in tokens")
    parser.add_argument("--rounds", type=int, default=1, help="runs of every side, alternating their order")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
                          f"{torch.get_num_threads()} threads",
               "date": time.strftime("%Y-%m-%d %H:%M %Z"), "load_before": _load(), "rows": []}
    for name in args.models.split(","):
        vocab = 8000 if name == "tiny" else 49152
        data = make_data(args.batch * args.steps, vocab, args.median, max_len=args.max_len)
        pad_share = 1 - sum(len(r["input_ids"]) for r in data) / sum(
            args.batch * max(len(r["input_ids"]) for r in data[i:i + args.batch]) for i in range(0, len(data), args.batch))
        rates = measure(name, data, args)
        o, t, h = (statistics.median(rates[side]) for side in ("ours", "trl", "hf"))
        row = {"model": name, "ours_tokens_per_s": round(o, 1), "trl_padding_free_tokens_per_s": round(t, 1),
               "hf_padded_tokens_per_s": round(h, 1), "ratio_vs_trl": round(o / t, 2), "ratio_vs_hf": round(o / h, 2),
               "hf_padding_share": round(pad_share, 3), "rounds": {k: [round(r, 1) for r in v] for k, v in rates.items()},
               "load_after": _load()}
        results["rows"].append(row)
        print(f"{name}: Afinar {o:.0f} tok/s · TRL SFTTrainer padding-free {t:.0f} tok/s (ratio {row['ratio_vs_trl']:.2f}x)"
              f" · HF Trainer+PEFT pad to longest {h:.0f} tok/s (ratio {row['ratio_vs_hf']:.2f}x, "
              f"padding in its batches: {pad_share:.0%})", flush=True)
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(results, fh, indent=2)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

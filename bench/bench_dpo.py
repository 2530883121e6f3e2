"""Benchmark: preference fine-tuning (DPO) step time of Afinar against TRL ``DPOTrainer``, on the
same model, the same pairs, the same LoRA, the same batches and the same thread count.

- Afinar: ``afinar.tasks.chat.dpo.train_step``, the training loop's own step — the preferred and the
  other reply of every pair in the batch packed into one padding-free row (attention per sequence),
  log-probabilities computed in chunks at the replies' positions only, reference log-probabilities
  computed once before the first step (adapters off).
- TRL 1.16 ``DPOTrainer`` at its best setting for this case: ``precompute_ref_log_probs=True`` (the
  reference pass once before training, as Afinar does, instead of a second forward every step),
  its fused LM head (TRL's default), fp32 and no gradient checkpointing like Afinar (``DPOConfig``
  defaults to bf16 autocast and checkpointing; both turned off). Not padding-free: in this version
  ``padding_free=True`` warns "temporarily unavailable after a refactor" and falls back to padding,
  so the batch is 2 × pairs rows padded to the longest (``DataCollatorForPreference``).
  ``train_sampling_strategy="sequential"`` so TRL's batches are exactly Afinar's.

Both: LoRA r 16 / alpha 32 on all linear layers, β 0.1, AdamW at 5e-5, gradient clipping at 1.0,
8 pairs per step, fp32 on the CPU (or the GPU's default of each side with ``--device cuda``). The
pairs are the model's chat template around Spanish-looking text: a system prompt, a user turn and
two replies, log-normal lengths (medians ``--prompt-median`` / ``--reply-median`` words). Timed:
the steps after ``--warm`` warm-up steps; the reference pass is not timed on either side. Each
side runs in its own process (``--rounds`` alternate the order: ours, TRL, then TRL, ours) with
``--threads`` torch threads; the figure of a side is its median. Reported: pairs/s, real (non-pad)
tokens/s, the share of padding in TRL's batches and the ratio ours / TRL (> 1: Afinar faster).

Usage: python bench/bench_dpo.py [--models tiny,smollm2] [--steps 8] [--warm 2] [--rounds 2]
       [--threads 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LORA = {"r": 16, "lora_alpha": 32, "lora_dropout": 0.0, "target_modules": "all-linear", "task_type": "CAUSAL_LM",
        "bias": "none"}
BETA, LR = 0.1, 5e-5


def words() -> list[str]:
    """Spanish words of the TechStore example data (to draw texts of any length from)."""
    out: list[str] = []
    with open(REPO / "examples" / "techstore" / "train.jsonl", encoding="utf-8") as fh:
        for line in fh:
            for message in json.loads(line)["messages"]:
                out += message["content"].split()
    return out


def make_pairs(n: int, prompt_median: int, reply_median: int, seed: int = 0) -> list[dict]:
    """``n`` pairs in the shape ``read_pairs`` returns (messages, chosen, rejected)."""
    rng, vocab = random.Random(seed), words()

    def text(median: int) -> str:
        length = max(3, int(math.exp(rng.gauss(math.log(median), 0.6))))
        return " ".join(rng.choice(vocab) for _ in range(length))

    return [{"messages": [{"role": "system", "content": "Eres el asistente de TechStore."},
                          {"role": "user", "content": text(prompt_median)}],
             "chosen": {"role": "assistant", "content": text(reply_median)},
             "rejected": {"role": "assistant", "content": text(reply_median)}} for _ in range(n)]


def model_folder(name: str, scratch: Path) -> Path:
    """The base of ``name``: smollm2-135m-instruct from Afinar's catalog, or a tiny random Llama
    (4 layers, d=256) with SmolLM2's tokenizer, saved once under ``scratch``."""
    from afinar import models

    smollm2 = Path(models.resolve("smollm2-135m-instruct"))
    if name == "smollm2":
        return smollm2
    folder = scratch / "tiny"
    if not (folder / "config.json").exists():
        import torch
        from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

        tokenizer = AutoTokenizer.from_pretrained(str(smollm2))
        torch.manual_seed(0)
        cfg = LlamaConfig(vocab_size=len(tokenizer), hidden_size=256, intermediate_size=688, num_hidden_layers=4,
                          num_attention_heads=8, num_key_value_heads=4, max_position_embeddings=4096,
                          eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
        LlamaForCausalLM(cfg).save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
    return folder


def run_ours(base: Path, pairs: list[dict], batch: int, steps: int, warm: int, device_name: str) -> dict[str, Any]:
    import torch

    from afinar.tasks.chat import dpo, modeling

    device = torch.device(device_name)
    dtype = modeling.pick_device()[1] if device.type == "cuda" else torch.float32  # as `train chat --method dpo`
    tokenizer, _ = modeling.load_tokenizer(base)
    tokenized = [dpo.tokenize_pair(tokenizer, p, 4096) for p in pairs]
    lora = {k: v for k, v in LORA.items() if k in ("r", "lora_alpha", "lora_dropout")}
    model = modeling.add_lora(modeling.load_model(base, dtype, device), lora["r"], lora["lora_alpha"],
                              lora["lora_dropout"])
    model.train()
    refs = dpo.reference_logps(model, tokenized, batch, device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=LR, weight_decay=0.0)
    t0 = None
    for step in range(steps):
        if step == warm:
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
        ids = range(step * batch, (step + 1) * batch)
        dpo.train_step(model, params, optimizer, None, [tokenized[i] for i in ids], [refs[i] for i in ids], BETA,
                       device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return {"seconds": time.perf_counter() - t0,
            "tokens": [len(p.chosen.input_ids) + len(p.rejected.input_ids) for p in tokenized]}


def run_trl(base: Path, pairs: list[dict], batch: int, steps: int, warm: int, device_name: str,
            scratch: Path) -> dict[str, Any]:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import DPOConfig, DPOTrainer

    class Clock(TrainerCallback):
        def __init__(self) -> None:
            self.steps, self.t0, self.t1 = 0, None, None

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            self.steps += 1
            if self.steps == warm:
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                self.t0 = time.perf_counter()

        def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.t1 = time.perf_counter()

    cuda = device_name == "cuda"
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    dataset = Dataset.from_list([{"prompt": p["messages"], "chosen": [p["chosen"]], "rejected": [p["rejected"]]}
                                 for p in pairs])
    args = DPOConfig(output_dir=str(scratch / "trl-out"), per_device_train_batch_size=batch, max_steps=steps,
                     learning_rate=LR, beta=BETA, weight_decay=0.0, lr_scheduler_type="constant", max_grad_norm=1.0,
                     precompute_ref_log_probs=True, precompute_ref_batch_size=batch, max_length=None,
                     padding_free=False, bf16=cuda, gradient_checkpointing=False, use_cpu=not cuda,
                     train_sampling_strategy="sequential", logging_steps=10**6, save_strategy="no", report_to=[],
                     disable_tqdm=True, dataloader_num_workers=0, seed=0)
    # on a GPU, TRL's usual setting: float32 weights, bf16 autocast (Afinar keeps a LoRA base in bf16)
    model = AutoModelForCausalLM.from_pretrained(str(base), dtype=torch.float32, attn_implementation="sdpa")
    clock = Clock()
    trainer = DPOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                         peft_config=LoraConfig(**LORA), callbacks=[clock])
    rows = [trainer.train_dataset[i] for i in range(len(pairs))]
    trainer.train()
    tokens = [2 * len(r["prompt_ids"]) + len(r["chosen_ids"]) + len(r["rejected_ids"]) for r in rows]
    padded = [2 * batch * max(len(r["prompt_ids"]) + max(len(r["chosen_ids"]), len(r["rejected_ids"]))
                              for r in rows[i:i + batch]) for i in range(0, len(rows), batch)]
    return {"seconds": clock.t1 - clock.t0, "tokens": tokens, "padded_per_step": padded}


def one_side(args: argparse.Namespace) -> None:
    """Child process: one side, one model; prints one JSON line."""
    import torch

    torch.set_num_threads(args.threads)
    scratch = Path(args.scratch)
    base = model_folder(args.model, scratch)
    pairs = make_pairs(args.batch * args.steps, args.prompt_median, args.reply_median)
    if args.side == "ours":
        out = run_ours(base, pairs, args.batch, args.steps, args.warm, args.device)
    else:
        out = run_trl(base, pairs, args.batch, args.steps, args.warm, args.device, scratch)
    timed = range(args.warm * args.batch, args.steps * args.batch)
    result = {"pairs_per_s": len(timed) / out["seconds"],
              "tokens_per_s": sum(out["tokens"][i] for i in timed) / out["seconds"], "seconds": out["seconds"],
              "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}  # Linux: KiB
    if "padded_per_step" in out:
        real = sum(out["tokens"][i] for i in timed)
        result["padding_share"] = 1 - real / sum(out["padded_per_step"][args.warm:])
    print("RESULT " + json.dumps(result), flush=True)


def load() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="tiny,smollm2")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--warm", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8, help="pairs per step")
    parser.add_argument("--prompt-median", type=int, default=40, help="median words of the user turn")
    parser.add_argument("--reply-median", type=int, default=50, help="median words of each reply")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", dest="json_out")
    parser.add_argument("--side", choices=["ours", "trl"], help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        one_side(args)
        return
    import torch
    import transformers
    import trl

    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {args.device}, torch {torch.__version__}, "
                          f"transformers {transformers.__version__}, trl {trl.__version__}, {args.threads} threads",
               "date": time.strftime("%Y-%m-%d %H:%M %Z"), "load_before": load(), "rows": []}
    with tempfile.TemporaryDirectory(prefix="afinar-bench-dpo-") as scratch:
        for name in args.models.split(","):
            rates: dict[str, list[dict]] = {"ours": [], "trl": []}
            for round_ in range(args.rounds):
                for side in (["ours", "trl"] if round_ % 2 == 0 else ["trl", "ours"]):
                    command = [sys.executable, __file__, "--side", side, "--model", name, "--scratch", scratch,
                               "--steps", str(args.steps), "--warm", str(args.warm), "--batch", str(args.batch),
                               "--prompt-median", str(args.prompt_median), "--reply-median", str(args.reply_median),
                               "--threads", str(args.threads), "--device", args.device]
                    done = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ,
                                          "OMP_NUM_THREADS": str(args.threads), "TQDM_DISABLE": "1"})
                    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
                    if done.returncode or not line:
                        sys.exit(f"{side} on {name} failed (exit status {done.returncode}; -9: killed, "
                                 f"often for memory):\n{done.stderr[-4000:]}")
                    rate = json.loads(line[-1][len("RESULT "):])
                    rates[side].append(rate)
                    print(f"  {name} round {round_ + 1} {side}: {rate['pairs_per_s']:.2f} pairs/s, "
                          f"{rate['tokens_per_s']:.0f} tok/s, peak RSS {rate['peak_rss_gib']:.1f} GiB "
                          f"(load {load()})", flush=True)
            ours = statistics.median(r["pairs_per_s"] for r in rates["ours"])
            peer = statistics.median(r["pairs_per_s"] for r in rates["trl"])
            row = {"model": name, "ours_pairs_per_s": round(ours, 3), "trl_pairs_per_s": round(peer, 3),
                   "ours_tokens_per_s": round(statistics.median(r["tokens_per_s"] for r in rates["ours"]), 1),
                   "trl_tokens_per_s": round(statistics.median(r["tokens_per_s"] for r in rates["trl"]), 1),
                   "ratio": round(ours / peer, 2), "trl_padding_share": round(rates["trl"][0]["padding_share"], 3),
                   "rounds": {k: [round(r["pairs_per_s"], 3) for r in v] for k, v in rates.items()},
                   "peak_rss_gib": {k: round(max(r["peak_rss_gib"] for r in v), 2) for k, v in rates.items()},
                   "load_after": load()}
            results["rows"].append(row)
            print(f"{name}: Afinar {ours:.2f} pairs/s · TRL DPOTrainer {peer:.2f} pairs/s · ratio "
                  f"{row['ratio']:.2f}x (padding in TRL's batches: {row['trl_padding_share']:.0%})", flush=True)
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(results, fh, indent=2)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

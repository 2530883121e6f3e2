"""Benchmark on one GPU: Afinar's chat training step against ../shared/bench/hf_peer_baseline.py in
the same call, on the same card, the same Qwen2.5 shapes (random weights) and the same data.

The peer (Hugging Face Trainer + PEFT, bf16, SDPA, pad-to-longest batches of 8) is run through the
shared script's own ``run`` function, unchanged. Afinar's rows time its training step (packed
variable-length rows, attention per example, loss only at target positions, chunked output
projection; ``bench_chat_train.time_steps``) on the same ``make_data`` examples: LoRA with a bf16
base as `afinar train chat` does, full fine-tuning with float32 weights under bf16 autocast, and
the same 8 examples per step — plus a row packing ≈16k tokens per step, which padding-free
batches make possible at the same memory, and a row with the per-example SDPA loop instead of
torch's fused varlen flash kernel (``afinar.engine.varlen`` uses the kernel on CUDA once it has
matched the loop).

Printed per row: real (non-pad) tokens/s, model TFLOP/s and MFU against the measured bf16 matmul
peak (the peer's FLOPs formula: LoRA ≈ 4·N + attention per token, full ≈ 6·N + attention), peak
memory, and the ratio to the peer row of the same shape and method. Gate (issue #4): ≥ 3× the
peer's real tokens/s for 0.5B LoRA. With $OUT set, writes ``chat_gpu.json`` there.

Run on the device: ``python bench/bench_chat_gpu.py`` (about 4 minutes on an H100/H200);
``python bench/bench_chat_gpu.py --tiny`` is a seconds-long CPU smoke test of the script itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_chat_train import time_steps


def load_peer(given: Path | None = None) -> Any:
    candidates = [given] if given else [folder / "hf_peer_baseline.py" for folder in (
        HERE.parent / "shared" / "bench", HERE.parent.parent / "shared" / "bench")]
    for path in candidates:
        if path.exists():
            spec = importlib.util.spec_from_file_location("hf_peer_baseline", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise SystemExit("hf_peer_baseline.py not found (give --peer PATH; looked in ./shared/bench, ../shared/bench)")


def ours(peer: Any, shape: str, lora: bool, batch: int, steps: int, warm: int, max_len: int,
         tokens_per_step: int = 0, fused: bool = True) -> dict[str, Any]:
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from afinar.engine import varlen

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    cfg = Qwen2Config(**peer.SHAPES[shape], attn_implementation="sdpa")
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(cfg)
    if lora and cuda:
        model = model.to(torch.bfloat16)
    varlen.enable(model)
    varlen._FLASH.clear()
    if not fused:  # the per-example SDPA loop only
        varlen._FLASH["ok"] = False
    model = model.to(device)
    if lora:
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear",
                                                 task_type="CAUSAL_LM"))
    n_examples = batch * steps if not tokens_per_step else max(batch * steps, steps * tokens_per_step // 300)
    data = peer.make_data(n_examples, cfg.vocab_size, max_len=max_len)
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    autocast = torch.bfloat16 if cuda and not lora else None
    timed = time_steps(model, data, batch, steps, warm, device=device, autocast=autocast,
                       tokens_per_step=tokens_per_step)
    mean_len = sum(len(r["input_ids"]) for r in data) / len(data)
    tps = timed["tokens_per_s"]
    row = dict(shape=shape, method="lora" if lora else "full", who="afinar",
               batch=f"{tokens_per_step} tokens" if tokens_per_step else batch,
               attention="varlen flash" if varlen._FLASH.get("ok") else
               f"per-example SDPA ({varlen._FLASH.get('why', 'asked for')})",
               tokens_per_s=round(tps), model_tflops=round(tps * peer.flops_per_token(cfg, lora, mean_len) / 1e12, 1),
               peak_mem_gib=round(torch.cuda.max_memory_allocated() / 2**30, 1) if cuda else float("nan"),
               seconds=round(timed["seconds"], 1))
    del model
    if cuda:
        torch.cuda.empty_cache()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="CPU smoke test with a tiny shape")
    parser.add_argument("--only", default="", help="comma-separated shapes to run (default: all)")
    parser.add_argument("--peer", type=Path, help="path of hf_peer_baseline.py (default: ../shared/bench)")
    args = parser.parse_args()
    if args.tiny:
        os.environ["TINY"] = "1"
    peer = load_peer(args.peer)
    cuda = torch.cuda.is_available()
    peak = peer.peak_bf16()
    device = torch.cuda.get_device_name() if cuda else "cpu"
    print(f"device={device} torch={torch.__version__} bf16_peak_tflops={peak:.0f}", flush=True)
    # (shape, lora, batch, steps, warm) as in the peer's own plan
    plan = [("tiny", True, 4, 6, 2)] if args.tiny else [
        ("qwen2.5-0.5b", True, 8, 40, 8),
        ("qwen2.5-0.5b", False, 8, 40, 8),
        ("qwen2.5-1.5b", True, 8, 30, 6),
    ]
    if args.only:
        plan = [p for p in plan if p[0] in args.only.split(",")]
    max_len = 256 if args.tiny else 2048
    rows = []
    for shape, lora, batch, steps, warm in plan:
        results = []
        for who, call in (("peer", lambda: peer.run(shape, lora, batch, steps, warm)),
                          ("afinar", lambda: ours(peer, shape, lora, batch, steps, warm, max_len)),
                          ("afinar", lambda: ours(peer, shape, lora, batch, steps // 2, max(1, warm // 2), max_len,
                                                  tokens_per_step=1024 if args.tiny else 16384)),
                          ("afinar", lambda: ours(peer, shape, lora, batch, steps, warm, max_len, fused=False))):
            try:
                row = call()
            except Exception as err:  # noqa: BLE001 - one OOM must not lose the other rows
                row = dict(shape=shape, method="lora" if lora else "full", error=repr(err)[:300])
            row["who"] = who
            if "model_tflops" in row and peak == peak:
                row["mfu_pct"] = round(100 * row["model_tflops"] / peak, 1)
            results.append(row)
        base = results[0].get("tokens_per_s")
        for row in results:
            if base and row.get("tokens_per_s"):
                row["ratio_to_peer"] = round(row["tokens_per_s"] / base, 2)
            print(json.dumps(row), flush=True)
        rows += results
    summary = dict(device=device, torch=torch.__version__, date=time.strftime("%Y-%m-%d"), peak_tflops=peak, rows=rows)
    if os.environ.get("OUT"):
        Path(os.environ["OUT"], "chat_gpu.json").write_text(json.dumps(summary, indent=1))
    gate = next((r for r in rows if r.get("shape") == "qwen2.5-0.5b" and r.get("method") == "lora"
                 and r.get("who") == "afinar" and "ratio_to_peer" in r), None)
    if gate:
        print(f"0.5B LoRA, same batch of 8: {gate['ratio_to_peer']}x the peer (gate >= 3x)", flush=True)


if __name__ == "__main__":
    main()

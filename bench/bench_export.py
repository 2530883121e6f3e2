"""Benchmark: exporting a chat fine-tune (``afinar export hf|gguf``), time and peak memory, against
the way a user does it with the libraries directly — PEFT's ``merge_and_unload()`` on the whole model,
then ``save_pretrained`` — on the same run, the same machine, in the same run of this script.

Every case runs in a fresh Python process that reports its own wall time and peak resident memory
(``ru_maxrss``); "imports" is the floor every case pays (torch, transformers, peft, gguf loaded).

Usage: python bench/bench_export.py [--run RUN_DIR]   (default: trains SmolLM2 on TechStore for 1 epoch)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r'''
import json, resource, sys, time
import torch, transformers, peft, gguf  # the floor: every case imports these
case, run, out = sys.argv[1:4]
start = time.perf_counter()
if case == "afinar-hf":
    from afinar.tasks.chat.export import export_hf
    export_hf(run, __import__("pathlib").Path(out))
elif case.startswith("afinar-gguf-"):
    from afinar.tasks.chat.export import export_gguf
    export_gguf(run, __import__("pathlib").Path(out), quant=case.removeprefix("afinar-gguf-"))
elif case == "peft-merge":
    meta = json.load(open(f"{run}/meta.json"))
    base = transformers.AutoModelForCausalLM.from_pretrained(meta["base_path"], dtype=torch.bfloat16)
    model = peft.PeftModel.from_pretrained(base, f"{run}/final").merge_and_unload()
    model.save_pretrained(out, safe_serialization=True)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def measure(case: str, run: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", CHILD, case, str(run), str(out)], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def train(folder: Path) -> Path:
    run = folder / "run"
    data = REPO / "examples" / "techstore" / "train.jsonl"
    subprocess.run([sys.executable, "-m", "afinar", "train", "chat", str(data), "--model", "smollm2-135m-instruct",
                    "--epochs", "1", "--output", str(run)],
                   env={**os.environ, "PYTHONPATH": str(REPO / "src")}, check=True, capture_output=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, help="a finished chat run (LoRA); default: train one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        run = args.run or train(tmp_path)
        rows = {case: measure(case, run, tmp_path / f"{case}.out")
                for case in ("imports", "peft-merge", "afinar-hf", "afinar-gguf-f16", "afinar-gguf-q8_0")}
    floor = rows["imports"]["peak_mb"]
    print(f"# export of {run.name} — {platform.machine()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}")
    print(f"{'case':<18}{'seconds':>9}{'peak MB':>10}{'above imports':>15}")
    for case, row in rows.items():
        print(f"{case:<18}{row['seconds']:>9.1f}{row['peak_mb']:>10.0f}{row['peak_mb'] - floor:>15.0f}")
    peer = rows["peft-merge"]
    for case in ("afinar-hf", "afinar-gguf-q8_0"):
        ours = rows[case]
        print(f"{case} / peft-merge: time {ours['seconds'] / peer['seconds']:.2f}x, "
              f"peak memory above imports {(ours['peak_mb'] - floor) / max(1.0, peer['peak_mb'] - floor):.2f}x")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

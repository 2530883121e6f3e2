"""Does a first chat fine-tune learn a small business's facts? Facts recalled on paraphrased
questions and non-word rate, per base, recipe and dataset, with the training time.

Each dataset is a folder with ``train.jsonl`` (chat data) and ``eval.jsonl`` (paraphrased questions
with the facts a right answer states, `afinar compare`'s format): ``examples/pequenos/*`` and
``examples/techstore``. A recipe is a set of `afinar train chat` flags; ``default`` passes none, so
it measures what a learner gets. Every run goes through the real CLI in a subprocess, then the
tuned model answers each question twice: with the training data's shared system prompt (when it
has one) and without any.

    python bench/bench_chat_recipes.py --data examples/pequenos/panaderia \
        --recipe default --recipe "e10=--epochs 10" --json out.json

Prints one row per (dataset, recipe) and, at the end, each recipe's totals. Non-word rate: hunspell
(es_ES / en_US) with the training data's words counted as known.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECK_TOKENS = 80  # as the job's own check (tasks/chat/evaluation.py)
RP_VIEW = int(os.environ.get("RP_VIEW", "0"))  # 1: also answer with repetition_penalty 1.1 (the old default)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def train(data: Path, model: str, flags: list[str], out: Path) -> float:
    cmd = [sys.executable, "-m", "afinar", "train", "chat", str(data / "train.jsonl"), "--model", model,
           "--output", str(out), *flags]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def evaluate(run: Path, data: Path) -> dict:
    from afinar.evaluate.compare import read_prompts
    from afinar.tasks.chat.evaluation import evaluate_model, shared_system_prompt
    from afinar.tasks.chat.predict import generate, load

    model, tokenizer, _ = load(str(run))
    train_set = read_jsonl(data / "train.jsonl")
    cases = read_prompts(eval_file(data))

    system = shared_system_prompt(train_set)
    out = {}
    views = [("with_system", system, 1.0), ("no_system", None, 1.0)] + [("rp1.1", system, 1.1)] * RP_VIEW
    for label, prompt, penalty in views:
        if label == "with_system" and system is None:
            continue

        def answer(messages: list[dict], penalty: float = penalty) -> str:
            return generate(model, tokenizer, messages, max_new_tokens=CHECK_TOKENS, repetition_penalty=penalty)["text"]

        result = evaluate_model(answer, "eval_prompts", cases, prompt, train_set)
        out[label] = result.to_dict()
    return out


def eval_file(data: Path) -> Path:
    return data / "eval.jsonl" if (data / "eval.jsonl").exists() else data / "test_prompts.jsonl"


def parse_recipe(text: str) -> tuple[str, list[str]]:
    name, _, flags = text.partition("=")
    return name, shlex.split(flags)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", action="append", type=Path, required=True)
    parser.add_argument("--recipe", action="append", default=None, help="NAME=FLAGS, or 'default'")
    parser.add_argument("--model", action="append", default=None)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="Keep run folders under this folder.")
    args = parser.parse_args()
    recipes = [parse_recipe(r) for r in (args.recipe or ["default"])]
    models = args.model or ["smollm2-135m-instruct"]
    rows = []
    root = args.keep or Path(tempfile.mkdtemp(prefix="afinar-recipes-"))
    for model in models:
        for name, flags in recipes:
            for data in args.data:
                out = root / f"{model}-{name}-{data.name}".replace("/", "_")
                seconds = train(data, model, flags, out)
                config = json.loads(json.dumps(__import__("yaml").safe_load((out / "config.yaml").read_text())))
                result = evaluate(out, data)
                row = {"model": model, "recipe": name, "data": data.name, "train_s": round(seconds, 1),
                       "epochs": config["epochs"], "batch_size": config["batch_size"],
                       "learning_rate": config["learning_rate"], **result}
                rows.append(row)
                cells = [f"{k}: {v['facts_recalled']}/{v['facts_total']} facts, "
                         f"non-words {v['nonword_rate']}" for k, v in result.items()]
                print(f"{model:24} {name:12} {data.name:18} {seconds:6.0f}s  e={config['epochs']} "
                      f"b={config['batch_size']} lr={config['learning_rate']:.0e}  " + " | ".join(cells), flush=True)
                if args.json:
                    args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\nTotals (with the system prompt where the data has one, else without):")
    for model in models:
        for name, _ in recipes:
            mine = [r for r in rows if r["model"] == model and r["recipe"] == name]
            main_view = [r.get("with_system") or r["no_system"] for r in mine]
            hit, total = sum(v["facts_recalled"] for v in main_view), sum(v["facts_total"] for v in main_view)
            rates = [v["nonword_rate"] for v in main_view if v["nonword_rate"] is not None]
            bare = [r["no_system"] for r in mine]
            bare_hit, bare_total = sum(v["facts_recalled"] for v in bare), sum(v["facts_total"] for v in bare)
            print(f"{model:24} {name:12} facts {hit}/{total} ({hit / max(1, total):.0%}), "
                  f"mean non-words {sum(rates) / max(1, len(rates)):.2%}; no system prompt: "
                  f"{bare_hit}/{bare_total}; train {sum(r['train_s'] for r in mine):.0f}s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("AFINAR_LANG", "en")
    sys.exit(main())

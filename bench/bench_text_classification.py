"""Text classification: Afinar's fine-tuned multilingual-e5-small against two peers, same run, same folds.

Data: the Spanish questions of chatterbot-corpus (one YAML file per topic, 9 topics: IA, dinero,
emociones, ...). The question of every conversation is a text, its file's category the label;
texts repeated after ignoring case and spaces are kept once (the first), so no question is in
both the training and the test part of a fold.

Compared, with stratified k-fold cross-validation (default 5 folds), accuracy and macro F1 per fold:

- ``fine-tuned e5``: Afinar's own pipeline (``launch.prepare`` + the training subprocess) with the
  given epochs and learning rates and the default head for e5 (``--head auto``: the mean-pooling
  head started from a logistic regression on the frozen vectors, texts prefixed ``query: ``; ``--head
  cls`` gives the standard [CLS] head); the score is the LAST epoch's (no epoch picked on the test fold);
- ``frozen e5 + LR``: e5's sentence embeddings (``query: `` prefix, mean pooling, L2 norm; the
  MODELS.md probe, ≈ 0.76) into a logistic regression;
- ``TF-IDF + LR``: ``afinar.tasks.text_classification.baselines.tfidf_logreg``.

With ``--restaurant`` it also trains the default config on ``examples/restaurante`` and prints the
training time and validation F1. Run: ``python bench/bench_text_classification.py [--folds 5]``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from afinar import models  # noqa: E402
from afinar.data.textcls_checks import text_key  # noqa: E402
from afinar.tasks.text_classification import baselines, launch, metrics  # noqa: E402
from afinar.tasks.text_classification.config import TextClassificationConfig  # noqa: E402


def chatterbot_spanish() -> tuple[list[str], list[str]]:
    root = Path(importlib.util.find_spec("chatterbot_corpus").origin).parent / "data" / "spanish"
    texts, labels, seen = [], [], set()
    for path in sorted(root.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        topic = (doc.get("categories") or [path.stem])[0]
        for conversation in doc.get("conversations") or []:
            question = str(conversation[0]).strip()
            key = text_key(question)
            if question and key not in seen:
                seen.add(key)
                texts.append(question)
                labels.append(topic)
    return texts, labels


def e5_embeddings(texts: list[str], base: Path) -> list[list[float]]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base, trust_remote_code=False, use_safetensors=True).eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), 64):
            enc = tokenizer([f"query: {t}" for t in texts[start:start + 64]], padding=True, truncation=True,
                            max_length=128, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            out.extend(torch.nn.functional.normalize(pooled, dim=-1).tolist())
    return out


def write_csv(path: Path, texts: list[str], labels: list[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels))
    return path


def finetune(train: tuple[list, list], test: tuple[list, list], args: argparse.Namespace, base: Path,
             work: Path, name: str) -> dict:
    import json

    cfg = TextClassificationConfig(
        data=write_csv(work / f"{name}_train.csv", *train), valid=write_csv(work / f"{name}_test.csv", *test),
        base=str(base), epochs=args.epochs, lr=args.lr, head_lr=args.head_lr, batch_size=args.batch_size,
        head=args.head, patience=0, output=work / name, seed=args.seed)
    prepared = launch.prepare(cfg, base)
    launch.run(prepared.run, lambda record: None)
    report = json.loads((prepared.run.path / "report.json").read_text(encoding="utf-8"))
    last = report["history"][-1]
    return {"accuracy": last["accuracy"], "f1": last["f1"], "train_seconds": report["train_seconds"]}


def cross_validate(args: argparse.Namespace, base: Path) -> dict[str, dict]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    texts, labels = chatterbot_spanish()
    names = sorted(set(labels))
    ids = [names.index(x) for x in labels]
    print(f"chatterbot-corpus Spanish: {len(texts)} unique questions, {len(names)} topics: {', '.join(names)}")
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(texts, ids))
    folds = folds[args.first_fold - 1:]
    folds = folds[:args.max_folds] if args.max_folds else folds
    results: dict[str, dict] = {k: {"accuracy": [], "f1": [], "seconds": 0.0}
                                for k in ("fine-tuned e5", "frozen e5 + LR", "TF-IDF + LR")}

    started = time.perf_counter()
    vectors = e5_embeddings(texts, base)
    results["frozen e5 + LR"]["seconds"] += time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        for k, (train_idx, test_idx) in enumerate(folds, start=args.first_fold):
            tr_t, te_t = [texts[i] for i in train_idx], [texts[i] for i in test_idx]
            tr_y, te_y = [ids[i] for i in train_idx], [ids[i] for i in test_idx]

            started = time.perf_counter()
            s = baselines.tfidf_logreg(tr_t, tr_y, te_t, te_y, names, args.seed)
            _add(results["TF-IDF + LR"], s, time.perf_counter() - started)

            started = time.perf_counter()
            clf = LogisticRegression(C=10.0, max_iter=3000, random_state=args.seed)
            clf.fit([vectors[i] for i in train_idx], tr_y)
            s = metrics.scores(te_y, [int(p) for p in clf.predict([vectors[i] for i in test_idx])], names)
            _add(results["frozen e5 + LR"], s, time.perf_counter() - started)

            started = time.perf_counter()
            s = finetune((tr_t, [names[i] for i in tr_y]), (te_t, [names[i] for i in te_y]), args, base,
                         Path(tmp), f"fold{k}")
            _add(results["fine-tuned e5"], s, time.perf_counter() - started)
            print(f"fold {k}/{args.folds}: " + ", ".join(
                f"{name} {r['accuracy'][-1]:.3f} (F1 {r['f1'][-1]:.3f})" for name, r in results.items()), flush=True)
    return results


def _add(bucket: dict, scores: dict, seconds: float) -> None:
    bucket["accuracy"].append(scores["accuracy"])
    bucket["f1"].append(scores["f1"])
    bucket["seconds"] += seconds


def restaurant(args: argparse.Namespace) -> None:
    import json

    example = REPO / "examples" / "restaurante"
    with tempfile.TemporaryDirectory() as tmp:
        cfg = TextClassificationConfig(data=example / "train.csv", valid=example / "valid.csv",
                                       output=Path(tmp) / "run", seed=args.seed)
        started = time.perf_counter()
        prepared = launch.prepare(cfg, launch.resolve_base(cfg.base))
        launch.run(prepared.run, lambda record: None)
        wall = time.perf_counter() - started
        report = json.loads((prepared.run.path / "report.json").read_text(encoding="utf-8"))
    tfidf = report["baselines"]["tfidf_logreg"]
    print(f"restaurant example (default config: {cfg.epochs} epochs, lr {cfg.lr}, head lr {cfg.head_lr}, "
          f"batch {cfg.batch_size}): training {report['train_seconds']:.0f} s (whole run {wall:.0f} s), "
          f"best epoch {report['best_epoch']}, validation F1 {report['final']['f1']:.3f} accuracy "
          f"{report['final']['accuracy']:.3f}; TF-IDF + LR F1 {tfidf['f1']:.3f}; majority F1 "
          f"{report['baselines']['majority']['f1']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--first-fold", type=int, default=1, help="Start at this fold (1-based).")
    parser.add_argument("--max-folds", type=int, default=0, help="Run at most N folds (0: all).")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--head", choices=["auto", "mean", "cls"], default="auto")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--restaurant", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--cv", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    print(f"{date.today()} · {platform.machine()} · {os.cpu_count()} CPU cores · Python {platform.python_version()}")
    base = models.resolve("multilingual-e5-small")
    if args.restaurant:
        restaurant(args)
    if args.cv:
        results = cross_validate(args, base)
        ran = f"{len(results['TF-IDF + LR']['accuracy'])} folds from fold {args.first_fold} of " \
            if args.max_folds or args.first_fold > 1 else ""
        print(f"\n{ran}{args.folds}-fold CV (fine-tune: head {args.head}, {args.epochs} epochs, lr {args.lr}, "
              f"head lr {args.head_lr}, batch {args.batch_size})")
        print(f"{'method':<18}{'accuracy':>10}{'± sd':>8}{'F1 macro':>10}{'wall s':>9}")
        for name, r in results.items():
            sd = statistics.stdev(r["accuracy"]) if len(r["accuracy"]) > 1 else 0.0
            print(f"{name:<18}{statistics.mean(r['accuracy']):>10.3f}{sd:>8.3f}"
                  f"{statistics.mean(r['f1']):>10.3f}{r['seconds']:>9.1f}")
        ours = statistics.mean(results["fine-tuned e5"]["accuracy"])
        frozen = statistics.mean(results["frozen e5 + LR"]["accuracy"])
        tfidf = statistics.mean(results["TF-IDF + LR"]["accuracy"])
        print(f"ratio: fine-tuned e5 accuracy / frozen e5 + LR = {ours / frozen:.3f}×, "
              f"/ TF-IDF + LR = {ours / tfidf:.3f}×; wall time {results['fine-tuned e5']['seconds']:.0f} s vs "
              f"{results['frozen e5 + LR']['seconds']:.0f} s vs {results['TF-IDF + LR']['seconds']:.1f} s")


if __name__ == "__main__":
    main()

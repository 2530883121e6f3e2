"""Image classification: Afinar's two-stage transfer learning against frozen features + logistic regression.

Data: the cat and dog silhouettes of animal-shape-mnist (``afinar examples cats-dogs``: 800
training and 200 validation pictures per class by default, seed 42), the course's exercise.

Compared on the same validation pictures, in the same run:

- ``afinar stage 1`` / ``afinar stage 2``: Afinar's own pipeline (``launch.prepare_run`` + the
  training subprocess) with the shipped defaults (160×160; stage 1 the linear probe on cached
  frozen features, up to 10 L-BFGS calls; stage 2 10 epochs of Adam at 1e-5 from layer 100 with
  flips and rotations); each stage's kept epoch, its wall time and training images/s;
- ``frozen features + LR`` (the peer): MobileNetV2's pooled ImageNet features with its own
  preprocessing (resize 256, center crop 224) into a standardized logistic regression
  (scikit-learn, lbfgs, C=1) — MODELS.md's probe, ≈ 0.94.

Goal: stage 2 ≥ 0.96 validation accuracy. Prints a Markdown table for docs/benchmarks.md.
Several class pairs, peer at the same picture size: ``bench/bench_image_pairs.py``.
Run: ``python bench/bench_image.py [--per-class 1000] [--stage1-epochs 10] [--stage2-epochs 10]``
(``--data DIR`` to use pictures already written, as on the GPU machine: bench/device/run.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from afinar import models
from afinar.tasks.image_classification import data, launch
from afinar.tasks.image_classification.config import build_config
from afinar.tasks.image_classification.example_data import write_cats_dogs

GOAL = 0.96


def frozen_features_logreg(base: Path, train: data.Items, valid: data.Items, seed: int) -> dict:
    """The peer: frozen backbone features (the base's own 224 preprocessing) + logistic regression."""
    import torch
    from PIL import Image
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from afinar.models.vision.folder import load_image_model, preprocess

    model, config = load_image_model(base)
    started = time.perf_counter()

    def features(items: data.Items):
        out = []
        with torch.inference_mode():
            for start in range(0, len(items), 64):
                batch = []
                for path in items.paths[start:start + 64]:
                    with Image.open(path) as img:
                        batch.append(preprocess(img, config["preprocessing"]))
                out.append(model.forward_features(torch.stack(batch)))
        return torch.cat(out).numpy()

    x_train, x_valid = features(train), features(valid)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000, random_state=seed))
    classifier.fit(x_train, train.labels)
    accuracy = sum(p == t for p, t in zip(classifier.predict(x_valid), valid.labels)) / len(valid)
    return {"accuracy": accuracy, "seconds": time.perf_counter() - started}


def afinar_run(folder: Path, out: Path, args: argparse.Namespace) -> tuple[dict, float]:
    cfg = build_config({"data": folder, "output": out, "stage1_epochs": args.stage1_epochs,
                        "stage2_epochs": args.stage2_epochs, "image_size": args.image_size,
                        "augment": not args.no_augment, "seed": args.seed})
    started = time.perf_counter()
    prepared = launch.prepare_run(cfg)
    launch.run(prepared.run, lambda record: print(json.dumps(record), flush=True) if record.get("kind") in (
        "stage", "epoch", "warning") else None)
    wall = time.perf_counter() - started
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    records = prepared.run.metrics()
    for summary in report["stages"]:  # wall time of the stage: feature caching and validation included
        stage = summary["stage"]
        begin = next(r["time"] for r in records if r["kind"] == "stage" and r["stage"] == stage)
        end = max(r["time"] for r in records if r["kind"] == "epoch" and r["stage"] == stage)
        summary["wall_seconds"] = end - begin
    return report, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-class", type=int, default=1000)
    parser.add_argument("--stage1-epochs", type=int, default=10)
    parser.add_argument("--stage2-epochs", type=int, default=10)
    parser.add_argument("--image-size", type=int, default=160)
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, help="an existing folder in the course's layout (default: write "
                                                  "the silhouettes with `afinar examples cats-dogs`'s code)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="afinar-bench-image-") as tmp:
        folder = args.data or Path(tmp) / "cats-dogs"
        counts = (write_cats_dogs(folder, per_class=args.per_class, seed=args.seed) if not args.data else
                  {split: {c.name: len(list(c.iterdir())) for c in (folder / split).iterdir() if c.is_dir()}
                   for split in ("train", "validation")})
        base = models.resolve("mobilenet_v2")
        train = data.folder_items(folder / "train")
        valid = data.folder_items(folder / "validation")
        peer = frozen_features_logreg(base, train, valid, args.seed)
        print(f"frozen features + LR: accuracy {peer['accuracy']:.4f} in {peer['seconds']:.1f} s", flush=True)
        report, wall = afinar_run(folder, Path(tmp) / "run", args)

    stages = {s["stage"]: s for s in report["stages"]}
    s1, s2 = stages.get(1), stages.get(2)
    threads = os.environ.get("OMP_NUM_THREADS", str(os.cpu_count()))
    print(f"\n### Image classification: cats vs dogs silhouettes ({date.today()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPU cores, OMP_NUM_THREADS={threads}, device {report['device']})\n")
    print(f"{sum(counts['train'].values())} training / {sum(counts['validation'].values())} validation pictures; "
          f"{args.image_size}×{args.image_size}; stage 1 {args.stage1_epochs} epochs, stage 2 "
          f"{args.stage2_epochs} epochs; augmentation {'off' if args.no_augment else 'on'}.\n")
    print("| model | validation accuracy | wall time | training images/s |")
    print("|---|---|---|---|")
    print(f"| peer: frozen MobileNetV2 features + logistic regression | {peer['accuracy']:.4f} | "
          f"{peer['seconds']:.0f} s (features + fit) | - |")
    for name, s in (("afinar stage 1 (frozen backbone, new head)", s1), ("afinar stage 2 (fine-tuning)", s2)):
        if s:  # images/s: training steps only (with cached features, the head alone)
            print(f"| {name} | {s['accuracy']:.4f} (epoch {s['best_epoch']}/{s['epochs_run']}) | "
                  f"{s['wall_seconds']:.0f} s | {s['images_per_s']:.0f} |")
    print(f"\nWhole run (prepare, decode, both stages, report): {wall:.0f} s.")
    last = s2 or s1
    ratio = last["accuracy"] / peer["accuracy"]
    print(f"Ratio stage {last['stage']} / peer accuracy: {ratio:.3f}. Goal stage 2 ≥ {GOAL}: "
          f"{'met' if s2 and s2['accuracy'] >= GOAL else 'NOT met'}.")


if __name__ == "__main__":
    main()

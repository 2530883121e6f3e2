"""Image classification with the course's two-stage transfer learning (default base: MobileNetV2).

Stage 1 trains a new head (global average pooling, dropout, linear) on the frozen pretrained
backbone; stage 2 unfreezes the backbone's layers from ``fine_tune_at`` on and continues with the
learning rate multiplied by ``stage2_lr_factor`` (0.1: ten times lower).

Modules, in the order a run uses them:

- ``config``: the pydantic config; CLI flags, the saved ``config.yaml`` and the docs come from it.
- ``data``: validation, the class folders or ``path,label`` CSV, the stratified split (no torch).
- ``launch``: creates the run directory and runs ``train`` as a subprocess, showing its progress.
- ``images``: decoding, resizing, normalizing and augmenting pictures (plain torch, no torchvision).
- ``modeling``: the backbone, its numbered layers, freezing and the head.
- ``train``: the two stages (``python -m afinar.tasks.image_classification.train RUN_DIR``).
- ``report``, ``plots``, ``card``: metrics, pictures and the model card.
- ``predict``: load a finished run and classify pictures (the ``afinar predict`` entry point).
- ``example_data``: the cat and dog silhouettes of ``afinar examples cats-dogs``.

Python API (what the CLI and the web studio call)::

    from afinar.tasks import image_classification as ic

    cfg = ic.config.build_config({"data": "fotos/", "stage1_epochs": 5})
    run = ic.prepare(cfg)                 # validates, splits, writes the run folder -> RunDir
    meta = ic.fit(run, on_progress=print)  # trains in a subprocess; metrics.jsonl records as dicts
    results = ic.classify(run.path, ["gato.jpg"])  # [{"label", "confidence", "scores"}]

(The functions are not called ``train`` and ``predict`` because those are the submodules' names.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from afinar.data.findings import Report
    from afinar.engine.rundir import RunDir
    from afinar.tasks.image_classification.config import ImageClassificationConfig

__all__ = ["classify", "fit", "prepare"]


def prepare(cfg: ImageClassificationConfig, *, on_findings: Callable[[Report], None] | None = None) -> RunDir:
    """Validate the pictures (``on_findings`` sees the data toolkit's report), resolve the base, split
    and write the run folder; returns the run. Pictures with errors raise AfinarError."""
    from afinar.tasks.image_classification import launch

    return launch.prepare_run(cfg, on_findings=on_findings).run


def fit(run: RunDir, on_progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Train a prepared run in a subprocess; returns its final ``meta.json``."""
    from afinar.tasks.image_classification import launch

    return launch.run(run, on_progress or (lambda record: None))


def classify(run_dir: str | Path, images: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Classify image files with a finished run: ``{"label", "confidence", "scores"}`` per image, in order."""
    from afinar.tasks.image_classification.predict import load_predictor

    predictor = load_predictor(Path(run_dir))
    out = []
    for scores in predictor.predict([str(p) for p in images]):
        label = max(scores, key=scores.__getitem__)
        out.append({"label": label, "confidence": scores[label], "scores": scores})
    return out

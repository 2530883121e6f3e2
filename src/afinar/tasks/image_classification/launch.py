"""Starting an image-classification run: everything before and around the training subprocess.

``prepare_run`` checks the pictures (all findings at once), resolves the base model (its license
is shown on first use), splits the data and writes the run folder: the resolved ``config.yaml``,
``meta.json`` (task, base and its checksum, dataset digest, labels, seed) and
``data/{train,valid}.csv``. ``run`` then starts ``python -m afinar.tasks.image_classification.train
RUN_DIR`` (no shell), sends its output to ``train.log`` and calls ``on_progress`` with each new
``metrics.jsonl`` record until it exits. Nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from afinar import models
from afinar.data.findings import Report
from afinar.engine.rundir import RunDir
from afinar.errors import AfinarError
from afinar.paths import afinar_home
from afinar.tasks.image_classification import data
from afinar.tasks.image_classification.config import TASK, ImageClassificationConfig
from afinar.tasks.text_classification.launch import _base_checksum


@dataclass
class Prepared:
    run: RunDir
    config: ImageClassificationConfig
    splits: data.Splits
    report: Report


def default_run_dir() -> Path:
    return afinar_home() / "runs" / f"{TASK}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def check_data(cfg: ImageClassificationConfig) -> Report:
    """The data toolkit's report on the pictures; a missing path is an AfinarError."""
    if not cfg.data.exists():
        raise AfinarError("imgcls.data.missing", path=str(cfg.data))
    return data.check(cfg.data)


def resolve_base(name: str) -> Path:
    """The folder of an Afinar image model (catalog name or local folder)."""
    from afinar.models.vision.folder import is_image_folder

    path = models.resolve(name)
    if not is_image_folder(path):
        raise AfinarError("imgcls.base.not_image", base=name, path=str(path))
    return path


def prepare_run(cfg: ImageClassificationConfig, *, on_findings: Callable[[Report], None] | None = None,
                base_path: Path | None = None) -> Prepared:
    """Check, resolve, split and write the run folder; an AfinarError if the pictures have errors."""
    report = check_data(cfg)
    if on_findings is not None:
        on_findings(report)
    if not report.valid:
        raise AfinarError("imgcls.data.invalid", errors=len(report.errors) or 1, path=str(cfg.data))
    run_dir = (Path(cfg.output) if cfg.output is not None else default_run_dir()).resolve()
    if (run_dir / "config.yaml").exists():
        raise AfinarError("imgcls.run.exists", path=str(run_dir))
    base_path = base_path or resolve_base(cfg.base)
    splits = data.load_splits(cfg.data, cfg.valid_fraction, cfg.seed)
    resolved = cfg.model_copy(update={"output": run_dir, "data": cfg.data.resolve()})
    run = RunDir.create(run_dir)
    run.write_config(resolved.model_dump(mode="json"))
    data.write_csv(run.path / "data" / "train.csv", splits.train)
    data.write_csv(run.path / "data" / "valid.csv", splits.valid)
    license_ = models.license_of(cfg.base)
    counts = {label: splits.train.labels.count(label) for label in splits.labels}
    run.update_meta(
        task=TASK, status="queued", model_id=run.path.name, base=cfg.base, base_path=str(base_path),
        base_checksum=_base_checksum(base_path),
        base_license={"name": license_.name, "url": license_.url} if license_ else None,
        dataset_sha256={"train": data.dataset_digest(splits.train), "valid": data.dataset_digest(splits.valid)},
        data_name=cfg.data.name, labels=splits.labels, seed=cfg.seed, valid_from=splits.valid_from,
        train_examples=len(splits.train), valid_examples=len(splits.valid), train_counts=counts,
    )
    return Prepared(run, resolved, splits, report)


def run(run: RunDir, on_progress: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Train in a subprocess, as a job of the queue this process follows (``afinar.jobs.foreground``);
    returns the final ``meta.json``, or raises with the reason the training recorded."""
    from afinar.jobs.foreground import train_or_raise
    from afinar.tasks import job_tasks

    return train_or_raise(job_tasks()[TASK], run, on_progress, "imgcls.train")

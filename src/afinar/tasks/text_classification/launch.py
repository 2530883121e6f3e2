"""Starting a text-classification run: everything before and around the training subprocess.

``prepare`` checks the data (all findings at once), reads and splits it, resolves the base model,
and writes the run folder: the resolved ``config.yaml``, ``meta.json`` (task, base and its
checksum, dataset hashes, labels, seed) and ``data/{train,valid}.jsonl``. ``run`` then starts
``python -m afinar.tasks.text_classification.train RUN_DIR`` (no shell), sends its output to
``train.log`` and calls ``on_progress`` with each new ``metrics.jsonl`` record until it exits.
Nothing here imports torch.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from afinar import models
from afinar.data.findings import Report
from afinar.engine.rundir import RunDir, sha256_file
from afinar.errors import AfinarError
from afinar.paths import afinar_home
from afinar.tasks.text_classification import config as config_module
from afinar.tasks.text_classification import data
from afinar.tasks.text_classification.config import TextClassificationConfig

TASK = "text-classification"


def check_data(cfg: TextClassificationConfig) -> list[Report]:
    """The data toolkit's reports on the training (and validation) file."""
    explicit = cfg.text_column is not None and cfg.label_column is not None
    reports = [data.check(cfg.data, explicit_columns=explicit)]
    if cfg.valid is not None:
        reports.append(data.check(cfg.valid, for_validation=True, explicit_columns=explicit))
    return reports


def default_run_dir() -> Path:
    return afinar_home() / "runs" / f"{TASK}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _base_checksum(base_path: Path) -> dict[str, str]:
    manifest = base_path / "afinar-model.json"
    if manifest.is_file():
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files") or {}
        found = {name: digest for name, digest in files.items() if name.endswith(".safetensors")}
        if found:
            return found
    return {p.name: sha256_file(p) for p in sorted(base_path.glob("*.safetensors"))}


def resolve_base(name: str) -> Path:
    path = models.resolve(name)
    if not any(path.glob("*.safetensors")):
        raise AfinarError("textcls.base.no_safetensors", path=str(path))
    config_module.read_base_config(path)
    return path


@dataclass
class Prepared:
    run: RunDir
    config: TextClassificationConfig
    splits: data.Splits


def prepare(cfg: TextClassificationConfig, base_path: Path) -> Prepared:
    """Read and split the data, create the run folder and write what the training process needs."""
    splits = data.load_splits(cfg.data, cfg.valid, cfg.valid_fraction, cfg.seed, cfg.text_column, cfg.label_column)
    run_dir = Path(cfg.output) if cfg.output is not None else default_run_dir()
    if (run_dir / "config.yaml").exists():
        raise AfinarError("textcls.run.exists", path=str(run_dir))
    resolved = config_module.resolve(cfg, base_path, run_dir.resolve())
    run = RunDir.create(run_dir.resolve())
    run.write_config(resolved.model_dump(mode="json"))
    data.write_jsonl(run.path / "data" / "train.jsonl", splits.train)
    data.write_jsonl(run.path / "data" / "valid.jsonl", splits.valid)
    license_ = models.license_of(cfg.base)
    datasets = {"train": sha256_file(cfg.data)}
    if cfg.valid is not None:
        datasets["valid"] = sha256_file(cfg.valid)
    run.update_meta(
        task=TASK, status="queued", model_id=run.path.name, base=cfg.base, base_path=str(base_path),
        base_checksum=_base_checksum(base_path),
        base_license={"name": license_.name, "url": license_.url} if license_ else None,
        dataset_sha256=datasets, data_name=cfg.data.name, labels=splits.labels, seed=cfg.seed,
        valid_from=splits.valid_from, text_column=splits.text_column, label_column=splits.label_column,
        train_examples=len(splits.train), valid_examples=len(splits.valid),
    )
    return Prepared(run, resolved, splits)


def run(run: RunDir, on_progress: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Train in a subprocess, as a job of the queue this process follows (``afinar.jobs.foreground``);
    returns the final ``meta.json``, or raises with the reason the training recorded."""
    from afinar.jobs.foreground import train_or_raise
    from afinar.tasks import job_tasks

    return train_or_raise(job_tasks()[TASK], run, on_progress, "textcls.train")

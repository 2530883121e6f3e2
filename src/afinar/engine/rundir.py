"""Run directories: every training run describes itself.

Layout (STYLE.md rule 4)::

    RUN_DIR/
      config.yaml        the resolved configuration the run was started from (auto values filled in)
      meta.json          versions, dataset hash, seed, base model and its checksum, status, model id
      metrics.jsonl      one JSON object per logged step / evaluation
      events.jsonl       human-readable events in OpenAI's wording ("Step 10/30: training loss=1.23");
                         in a job's training process each event also goes to the job's record
                         (``set_event_sink``), written once by the process that makes it
      train.log          everything the training process printed
      pause-requested    while it exists, the training stops at its next safe point (the job runner's pause)
      checkpoints/       checkpoint-<step>/ folders (the last ``keep`` are kept)
      final/             the trained weights (adapter or full model) and the tokenizer
      README.md          the model card (Hugging Face format)

The module has no torch import: the CLI, the server and the web studio read runs with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from afinar import __version__

CHECKPOINT_PREFIX = "checkpoint-"
_EVENT_SINKS: dict[Path, Callable[[dict[str, Any]], None]] = {}
PAUSE_FILE = "pause-requested"  # the job runner creates it in a run folder; the training stops at its next safe point


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class RunDir:
    path: Path

    @classmethod
    def create(cls, path: str | Path) -> RunDir:
        run = cls(Path(path))
        (run.path / "checkpoints").mkdir(parents=True, exist_ok=True)
        return run

    # --- configuration and metadata -------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.path / "config.yaml"

    def write_config(self, config: dict[str, Any]) -> None:
        _write_atomic(self.config_path, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))

    def read_config(self) -> dict[str, Any]:
        return yaml.safe_load(self.config_path.read_text(encoding="utf-8"))

    def read_meta(self) -> dict[str, Any]:
        path = self.path / "meta.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def update_meta(self, **fields: Any) -> dict[str, Any]:
        meta = self.read_meta()
        if not meta:
            meta = {"afinar_version": __version__, "python": platform.python_version(),
                    "created_at": int(time.time())}
        meta.update(fields)
        _write_atomic(self.path / "meta.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        return meta

    # --- metrics and events ---------------------------------------------------------------
    def log_metrics(self, **values: Any) -> None:
        with open(self.path / "metrics.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"time": round(time.time(), 3), **values}, ensure_ascii=False) + "\n")

    def metrics(self) -> list[dict[str, Any]]:
        path = self.path / "metrics.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def keep_metrics_through(self, step: int) -> None:
        """On a resume from the checkpoint at ``step``: drop the rows of the steps after it, which the
        resumed training writes again, so metrics.jsonl holds each step once. Atomic (a crash here
        leaves the old file)."""
        path = self.path / "metrics.jsonl"
        if not path.exists():
            return
        kept = [line for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and int(json.loads(line).get("step", 0)) <= step]
        tmp = path.with_name(".metrics.jsonl.tmp")
        tmp.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
        os.replace(tmp, path)

    def log_event(self, message: str, level: str = "info", **data: Any) -> None:
        event = {"created_at": int(time.time()), "level": level, "message": message, "data": data}
        with open(self.path / "events.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")
        sink = _EVENT_SINKS.get(self.path.resolve()) if _EVENT_SINKS else None
        if sink is not None:
            sink(event)

    def events(self) -> list[dict[str, Any]]:
        path = self.path / "events.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    # --- checkpoints --------------------------------------------------------------------
    def checkpoint_dir(self, step: int) -> Path:
        return self.path / "checkpoints" / f"{CHECKPOINT_PREFIX}{step}"

    def checkpoints(self) -> list[Path]:
        """Complete checkpoints, oldest first (a checkpoint is complete once its state.json exists)."""
        root = self.path / "checkpoints"
        found = [p for p in root.glob(f"{CHECKPOINT_PREFIX}*") if (p / "state.json").exists()] if root.exists() else []
        return sorted(found, key=lambda p: int(p.name[len(CHECKPOINT_PREFIX):]))

    def last_checkpoint(self) -> Path | None:
        done = self.checkpoints()
        return done[-1] if done else None

    def prune_checkpoints(self, keep: int) -> None:
        for old in self.checkpoints()[:-keep] if keep > 0 else []:
            shutil.rmtree(old)

    def pause_requested(self) -> bool:
        return (self.path / PAUSE_FILE).exists()

    @property
    def final_dir(self) -> Path:
        return self.path / "final"


def set_event_sink(path: Path, sink: Callable[[dict[str, Any]], None] | None) -> None:
    """In this process, every event logged in the run folder ``path`` (through any ``RunDir`` of it)
    is also handed to ``sink`` (the job system's record of the job); None stops that."""
    if sink is None:
        _EVENT_SINKS.pop(Path(path).resolve(), None)
    else:
        _EVENT_SINKS[Path(path).resolve()] = sink

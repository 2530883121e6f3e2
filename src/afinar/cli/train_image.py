"""`afinar train image-classification DIR`: the course's two-stage transfer learning.

Flags come from the config model. The parent checks the pictures, resolves the base, writes the
run folder (``launch.prepare_run``), then shows the child's progress from ``metrics.jsonl`` and,
at the end, each stage's result and the final metrics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from afinar import i18n
from afinar.cli.config_options import config_options, with_saved
from afinar.cli.options import lang_option
from afinar.tasks.image_classification.config import (
    ImageClassificationConfig,
    build_config,
)


@click.command("image-classification")
@click.argument("data", required=False, type=click.Path(path_type=Path))
@config_options(ImageClassificationConfig, exclude=("data",), short={"output": "-o"})
@lang_option
def command(data: Path | None, config_file: Path | None, **values: Any) -> None:
    """Fine-tune an image classifier on DATA in two stages (transfer learning).

    DATA is a folder with train/<class>/ and validation/<class>/ (the course's layout), a folder
    with one subfolder per class (a stratified part is set aside for validation), or a CSV with
    path,label columns. Stage 1 trains a new head on the frozen backbone; stage 2 unfreezes the
    layers from --fine-tune-at on with the learning rate × --stage2-lr-factor.

    \b
    afinar examples cats-dogs gatos-perros
    afinar train image-classification gatos-perros -o runs/gatos-perros
    afinar predict runs/gatos-perros foto.jpg
    """
    from afinar.api.train import train_image_classifier
    from afinar.cli.data import print_report

    cfg = build_config(with_saved(ImageClassificationConfig, config_file, {"data": data, **values}, drop=("output",)))

    def start(run) -> None:
        meta = run.meta
        click.echo(i18n.t("imgcls.cli.start", run=str(run.path), train=meta["train_examples"],
                          valid=meta["valid_examples"], labels=", ".join(meta["labels"]), base=cfg.base))

    view = _ProgressView(cfg)
    run = train_image_classifier(config=cfg, progress=False, on_findings=lambda r: print_report(r, show_all=False),
                                 on_start=start, on_progress=view.update)
    print_summary(run.path, run.report)


class _ProgressView:
    """A rich progress bar over training steps; one line per stage and per evaluated epoch."""

    def __init__(self, cfg: ImageClassificationConfig) -> None:
        from rich.console import Console

        self.cfg = cfg
        self.console = Console(stderr=True, highlight=False, emoji=False)
        self.progress: Any = None
        self.task: Any = None

    def _start(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console, transient=False)
        self.progress.start()
        self.task = self.progress.add_task(i18n.t("imgcls.cli.training"), total=total)

    def update(self, record: dict[str, Any]) -> None:
        kind = record.get("kind")
        if kind == "start":
            self._start(record["total_steps"])
        elif kind == "stage":
            key = "imgcls.cli.stage2" if record["stage"] == 2 else (
                "imgcls.cli.stage1_probe" if record.get("probe") else "imgcls.cli.stage1")
            self.console.print(i18n.t(key, **{k: v for k, v in record.items() if k not in ("kind", "time")}))
            if record.get("cached_features") and not record.get("probe"):
                self.console.print(i18n.t("imgcls.cli.cached"))
        elif kind == "step" and self.progress is not None:
            self.progress.update(self.task, completed=record["step"], description=i18n.t(
                "imgcls.cli.step", stage=record["stage"], epoch=record["epoch"], loss=record["loss"]))
        elif kind == "epoch":
            self.console.print(i18n.t("imgcls.cli.epoch", **{k: record[k] for k in (
                "stage", "epoch", "train_loss", "valid_loss", "accuracy")}))
        elif kind == "warning" and record.get("code") == "overfitting":
            self.console.print(f"[yellow]{i18n.t('imgcls.cli.overfitting', stage=record['stage'], epoch=record['epoch'])}[/]")
        elif kind == "phase" and self.progress is not None:
            self.progress.update(self.task, completed=self.progress.tasks[0].total)
            self.progress.stop()
            self.console.print(i18n.t("imgcls.cli.reporting"))


def print_summary(run_path: Path, report: dict[str, Any]) -> None:
    final, labels = report["final"], report["labels"]
    click.echo("")
    for s in report["stages"]:
        click.echo(i18n.t(f"imgcls.cli.stage{s['stage']}_result", **{k: s[k] for k in (
            "accuracy", "valid_loss", "best_epoch", "epochs_run", "seconds", "images_per_s")}))
    click.echo(i18n.t("imgcls.cli.majority", accuracy=report["baselines"]["majority"]["accuracy"]))
    click.echo("")
    lw = max(len(x) for x in labels) + 2
    click.echo(f"{'':{lw}}{'precision':>10}{'recall':>9}{'F1':>8}{'n':>6}")
    for label in labels:
        c = final["per_class"][label]
        click.echo(f"{label:{lw}}{c['precision']:>10.3f}{c['recall']:>9.3f}{c['f1']:>8.3f}{c['support']:>6}")
    click.echo("")
    click.echo(i18n.t("imgcls.cli.confusion"))
    click.echo(f"{'':{lw}}" + "".join(f"{x:>{lw}}" for x in labels))
    for label, row in zip(labels, final["confusion_matrix"]):
        click.echo(f"{label:{lw}}" + "".join(f"{v:>{lw}}" for v in row))
    click.echo(i18n.t("imgcls.cli.files", run=str(run_path)))

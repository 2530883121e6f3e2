"""`afinar train text-classification`: flags come from the config model, training runs in a subprocess
(a job of the queue this command follows).

The parent checks the data, resolves the base, writes the run folder (``launch.prepare``), then
shows the child's progress from ``metrics.jsonl`` and, at the end, the report: the fine-tuned
model against the baselines on the same validation split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from afinar import i18n
from afinar.cli.config_options import config_options, with_saved
from afinar.cli.options import lang_option
from afinar.tasks.text_classification.config import (
    TextClassificationConfig,
    build_config,
)

# Mean confidence this far below accuracy: the model ranks well but is unsure; more epochs help.
UNDERCONFIDENT_GAP = 0.2


@click.command("text-classification")
@config_options(TextClassificationConfig, short={"output": "-o"})
@lang_option
def command(config_file: Path | None, **values: Any) -> None:
    """Fine-tune a text classifier (e.g. positivo/negativo/neutral) on a CSV `text,label`.

    Columns are recognized by name in Spanish and English (text/texto/comentario, label/etiqueta/clase).
    The data is validated first; the report compares the model with the majority class and TF-IDF +
    logistic regression on the same validation split.
    """
    from afinar.api.train import train_text_classifier

    cfg = build_config(with_saved(TextClassificationConfig, config_file, values, drop=("output",)))
    view = _ProgressView()

    def start(run) -> None:
        meta = run.meta
        click.echo(i18n.t("textcls.cli.start", run=str(run.path), train=meta["train_examples"],
                          valid=meta["valid_examples"], labels=", ".join(meta["labels"]), base=cfg.base))
        if run.config.get("freeze_embeddings") == "yes":
            click.echo(i18n.t("textcls.cli.frozen"))

    run = train_text_classifier(config=cfg, progress=False, on_findings=_print_findings, on_start=start,
                                on_progress=view.update)
    _print_report(run.path, run.report)


def _print_findings(reports) -> None:
    for report in reports:
        for finding in report.sorted_findings():
            where = f"{report.file}:{finding.line}" if finding.line else report.file
            click.echo(f"{where}: {i18n.t('data.severity.' + finding.severity)} [{finding.code}] "
                       f"{finding.message()}\n    → {finding.hint()}", err=True)


class _ProgressView:
    """A rich progress bar over training steps; one line per evaluated epoch."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False, emoji=False)
        self.progress = None
        self.task = None

    def update(self, record: dict[str, Any]) -> None:
        kind = record.get("kind")
        if kind == "start":
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
            self.task = self.progress.add_task(i18n.t("textcls.cli.training"), total=record["total_steps"])
        elif kind == "step" and self.progress is not None:
            self.progress.update(self.task, completed=record["step"],
                                 description=i18n.t("textcls.cli.step", epoch=record["epoch"], loss=record["loss"]))
        elif kind == "epoch":
            self.console.print(i18n.t("textcls.cli.epoch", **{k: record[k] for k in (
                "epoch", "train_loss", "valid_loss", "accuracy", "f1")}))
        elif kind == "phase" and self.progress is not None:
            self.progress.update(self.task, completed=self.progress.tasks[0].total)
            self.progress.stop()
            self.console.print(i18n.t("textcls.cli.reporting"))


def _print_report(run_path: Path, report: dict[str, Any]) -> None:
    final, labels = report["final"], report["labels"]
    click.echo("")
    click.echo(i18n.t("textcls.cli.summary", epoch=report["best_epoch"], epochs=report["epochs_run"],
                      seconds=report["train_seconds"], valid=report["valid_examples"]))
    rows = [(i18n.t("textcls.cli.finetuned"), final)] + [
        (i18n.t("textcls.cli.baseline_" + name), scores) for name, scores in report["baselines"].items()]
    width = max(len(name) for name, _ in rows) + 2
    click.echo(f"{'':{width}}{'accuracy':>10}{'precision':>11}{'recall':>9}{'F1':>8}")
    for name, s in rows:
        click.echo(f"{name:{width}}{s['accuracy']:>10.3f}{s['precision']:>11.3f}{s['recall']:>9.3f}{s['f1']:>8.3f}")
    click.echo("")
    lw = max(len(x) for x in labels) + 2
    click.echo(f"{'':{lw}}{'precision':>10}{'recall':>9}{'F1':>8}{'n':>6}")
    for label in labels:
        c = final["per_class"][label]
        click.echo(f"{label:{lw}}{c['precision']:>10.3f}{c['recall']:>9.3f}{c['f1']:>8.3f}{c['support']:>6}")
    click.echo("")
    click.echo(i18n.t("textcls.cli.confusion"))
    cw = max(lw, max(len(x) for x in labels) + 2)
    click.echo(f"{'':{cw}}" + "".join(f"{x:>{cw}}" for x in labels))
    for label, row in zip(labels, final["confusion_matrix"]):
        click.echo(f"{label:{cw}}" + "".join(f"{v:>{cw}}" for v in row))
    click.echo(i18n.t("textcls.cli.ece", ece=final["ece"]))
    if final.get("mean_confidence", 1.0) < final["accuracy"] - UNDERCONFIDENT_GAP:
        click.echo(i18n.t("textcls.cli.underconfident", confidence=final["mean_confidence"],
                          accuracy=final["accuracy"]))
    click.echo(i18n.t("textcls.cli.files", run=str(run_path)))

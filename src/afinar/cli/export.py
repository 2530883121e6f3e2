"""`afinar export ...`: package a finished run for somewhere else. Each task provides an ``export``
module (found through the task registry from the run's ``meta.json``)."""

from __future__ import annotations

from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option


@click.group()
@lang_option
def export() -> None:
    """Package a trained run (a Hugging Face Space, ...)."""


@export.command("space")
@click.argument("run_dir", metavar="RUN", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Folder to create: app.py, requirements.txt, README.md and model/.")
@click.option("--title", help="Title of the Space (default: from the labels).")
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty output folder.")
@lang_option
def space(run_dir: Path, output: Path, title: str | None, force: bool) -> None:
    """Write a Hugging Face Space (Gradio app) for a trained classifier; `python app.py` runs it locally."""
    from afinar.tasks import load_run

    _meta, module = load_run(run_dir, "export", "export", "export_space")
    module.export_space(run_dir, output, title=title, force=force)
    click.echo(i18n.t("export.done", path=str(output)))

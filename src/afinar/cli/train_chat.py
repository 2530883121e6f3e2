"""`afinar train chat`: supervised fine-tuning of a chat model on OpenAI-format JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from afinar import i18n
from afinar.cli.config_options import build_config, config_options, with_saved
from afinar.cli.options import lang_option
from afinar.errors import AfinarError
from afinar.tasks.chat.config import ChatTrainConfig, ResolvedChatConfig


@click.command("chat")
@click.argument("data", required=False, type=click.Path(path_type=Path))
@config_options(ChatTrainConfig, exclude=("data",))
@click.option("--output", type=click.Path(path_type=Path),
              help="Run folder (default: AFINAR_HOME/runs/JOB_ID).")
@click.option("--resume", "resume_dir", type=click.Path(path_type=Path),
              help="Continue a stopped run from its last checkpoint.")
@click.option("--merge", is_flag=True, help="Also save the base with the adapter merged in (final/merged).")
@lang_option
def command(data: Path | None, output: Path | None, resume_dir: Path | None, merge: bool,
            config_file: Path | None, **values: Any) -> int:
    """Fine-tune a chat model on DATA (chat JSONL): LoRA by default, loss on assistant replies only.

    Prints the run folder and the model id (ft:BASE:afinar:SUFFIX:ID) that `afinar chat`,
    `afinar compare` and the API accept.
    """
    from rich.console import Console

    from afinar.api.train import train_chat
    from afinar.cli.data import print_report

    console = Console(highlight=False, emoji=False)
    config = None
    if resume_dir is None:
        values = with_saved(ChatTrainConfig, config_file, {"data": data, **values}, resolved=ResolvedChatConfig)
        if values.get("data") is None:
            raise AfinarError("chat.train.need_data", exit_code=2)
        config = build_config(ChatTrainConfig, values)

    def plan(run) -> None:
        cfg = run.config
        console.print(i18n.t("chat.train.plan", train=cfg["train_examples"], valid=cfg["valid_examples"],
                             method=cfg["method"], epochs=cfg["epochs"], batch=cfg["batch_size"],
                             lr=cfg["learning_rate"]))
        console.print(i18n.t("chat.train.run_dir", path=run.path))

    # a job of the queue that this terminal follows (`afinar jobs list` shows it); the training's own
    # progress output comes here (Ctrl-C stops it; its last checkpoint stays)
    run = train_chat(config=config, output=output, resume=resume_dir, merge=merge, progress=False, quiet=False,
                     on_findings=lambda report: print_report(report, show_all=False), on_start=plan)
    if merge:
        console.print(i18n.t("chat.train.merged", path=run.meta["merged_path"]))
    console.print(f"[bold green]✓[/] {i18n.t('chat.train.done', model_id=run.model)}")
    console.print(i18n.t("chat.train.try", model_id=run.model))
    return 0

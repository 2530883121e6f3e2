"""`afinar train TASK ...`: each task adds its own subcommand from its own CLI module."""

from __future__ import annotations

import click

from afinar.cli.options import lang_option


@click.group()
@lang_option
def train() -> None:
    """Fine-tune a base model on your data (chat, text-classification, image-classification)."""


def _register() -> None:
    from importlib import import_module

    for module in ("afinar.cli.train_chat", "afinar.cli.train_textcls"):
        try:
            spec_module = import_module(module)
        except ModuleNotFoundError as err:  # a task whose CLI is not written yet
            if err.name != module:
                raise
            continue
        train.add_command(spec_module.command)


_register()

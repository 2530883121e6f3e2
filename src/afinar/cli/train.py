"""`afinar train TASK ...`: each task adds its own subcommand from its own CLI module."""

from __future__ import annotations

import click

from afinar.cli.options import lang_option


@click.group()
@lang_option
def train() -> None:
    """Fine-tune a base model on your data (chat, text-classification, image-classification)."""


def _register() -> None:
    from afinar.cli.train_chat import command as chat
    from afinar.cli.train_image import command as image_classification
    from afinar.cli.train_textcls import command as text_classification

    train.add_command(chat)
    train.add_command(text_classification)
    train.add_command(image_classification)


_register()

"""`afinar models`: the base-model catalog (packaged offline bases, hub ids, imported GGUF)."""

from __future__ import annotations

import click

from afinar.cli.options import lang_option


@click.group()
@lang_option
def models() -> None:
    """Base models: list, pull, import, info, rm."""

"""Options shared by every command."""

from __future__ import annotations

import click

from afinar import i18n


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        i18n.set_lang(value)
    return value


lang_option = click.option(
    "--lang",
    type=click.Choice(list(i18n.LANGS)),
    callback=_set_lang,
    expose_value=False,
    is_eager=True,
    help="Language of messages (es|en). Default: AFINAR_LANG, then the system locale.",
)

"""The `afinar` command. Each command group lives in its own module and is registered here.

Errors a user can fix (AfinarError) are printed in the user's language, without a traceback.
Nothing here imports torch: `afinar --help` stays instant.
"""

from __future__ import annotations

import os
import sys

import click

from afinar import __version__, i18n
from afinar.cli.options import lang_option
from afinar.errors import AfinarError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="afinar")
@lang_option
def cli() -> None:
    """Afinar: fine-tune models on your own machine. Local, private and free.

    Afinar: ajusta (fine-tune) modelos en tu propia máquina. Local, privado y gratis.
    """


def print_error(err: AfinarError) -> None:
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    console.print(f"[bold red]{i18n.t('common.error_prefix')}:[/] {err.message()}", markup=True)
    hint = err.hint()
    if hint:
        console.print(f"[yellow]{i18n.t('common.hint_prefix')}:[/] {hint}", markup=True)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: runs the group, turning user errors into messages and exit codes."""
    try:
        rv = cli.main(args=argv, prog_name="afinar", standalone_mode=False)
    except AfinarError as err:
        print_error(err)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo(i18n.t("common.interrupted"), err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        click.echo(i18n.t("common.interrupted"), err=True)
        sys.exit(130)
    except Exception as err:  # an internal bug: say so plainly, keep the traceback one variable away
        if os.environ.get("AFINAR_DEBUG"):
            raise
        click.echo(i18n.t("common.internal_error", error=f"{type(err).__name__}: {err}"), err=True)
        sys.exit(3)
    sys.exit(rv if isinstance(rv, int) else 0)


def _register() -> None:
    from afinar.cli.chat import chat
    from afinar.cli.compare import compare
    from afinar.cli.data import data
    from afinar.cli.examples import examples
    from afinar.cli.export import export
    from afinar.cli.models import models
    from afinar.cli.predict import predict
    from afinar.cli.rag import rag
    from afinar.cli.serve import jobs, keys, serve
    from afinar.cli.train import train

    cli.add_command(data)
    cli.add_command(models)
    cli.add_command(train)
    cli.add_command(predict)
    cli.add_command(export)
    cli.add_command(examples)
    cli.add_command(chat)
    cli.add_command(compare)
    cli.add_command(serve)
    cli.add_command(jobs)
    cli.add_command(keys)
    cli.add_command(rag)


_register()

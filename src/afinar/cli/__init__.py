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

# Command groups are imported when a command line names them (`afinar data validate` imports no
# RAG, training or server code); `afinar --help` imports them all for their one-line help.
_GROUPS = {
    "chat": "afinar.cli.chat", "compare": "afinar.cli.compare", "data": "afinar.cli.data",
    "examples": "afinar.cli.examples", "export": "afinar.cli.export", "jobs": "afinar.cli.serve",
    "keys": "afinar.cli.serve", "models": "afinar.cli.models", "predict": "afinar.cli.predict",
    "rag": "afinar.cli.rag", "serve": "afinar.cli.serve", "train": "afinar.cli.train",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_GROUPS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in _GROUPS:
            from importlib import import_module

            self.add_command(getattr(import_module(_GROUPS[name]), name))
        return self.commands.get(name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="afinar")
@lang_option
def cli() -> None:
    """Afinar: fine-tune models on your own machine. Local, private and free.

    Afinar: ajusta (fine-tune) modelos en tu propia máquina. Local, privado y gratis.
    """


def print_error(err: AfinarError) -> None:
    print_problem(err.message(), err.hint())


def print_problem(message: str, hint: str | None = None) -> None:
    """An error and its fix as ``print_error`` shows them (for messages already translated)."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False, emoji=False)
    console.print(f"[bold red]{i18n.t('common.error_prefix')}:[/] {message}", markup=True)
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

"""`afinar data`: validate, fix, convert, stats, estimate and split datasets. Never imports torch."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option

# Human output shows at most this many findings of one code; --json and --all show every one.
_SHOWN_PER_CODE = 10


@click.group()
@lang_option
def data() -> None:
    """Datasets: validate, fix, convert, stats, estimate, split."""


@data.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--task", type=click.Choice(["chat", "text-classification", "image-classification"]),
              help="What the data is for. Inferred from the file when omitted.")
@click.option("--min-examples", type=click.IntRange(min=0), default=10, show_default=True,
              help="Fewer examples than this is an error (OpenAI requires 10).")
@click.option("--max-tokens", type=click.IntRange(min=1),
              help="Longest example allowed, in tokens (counted with --tokenizer, else approximated).")
@click.option("--tokenizer", metavar="MODEL",
              help="Tokenizer for exact counts: a tokenizer.json, a model folder, a catalog name or a hub id.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a report.")
@click.option("--all", "show_all", is_flag=True, help=f"Show every finding (default: {_SHOWN_PER_CODE} per kind).")
@lang_option
def validate(file: Path, task: str | None, min_examples: int, max_tokens: int | None,
             tokenizer: str | None, as_json: bool, show_all: bool) -> int:
    """Check a dataset and report every problem with its line and how to fix it.

    Exit code 0: no errors (warnings allowed); 1: errors found; 2: wrong usage.
    """
    from afinar.data.validate import ValidateOptions
    from afinar.data.validate import validate as run_validate

    options = ValidateOptions(task=task, min_examples=min_examples, max_tokens=max_tokens,
                              tokenizer=tokenizer)
    report = run_validate(file, options)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(report, show_all)
    return 0 if report.valid else 1


def _print_report(report, show_all: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for f in report.sorted_findings():
        shown[f.code] = shown.get(f.code, 0) + 1
        if not show_all and shown[f.code] > _SHOWN_PER_CODE:
            hidden[f.code] = hidden.get(f.code, 0) + 1
            continue
        color = "red" if f.severity == "error" else "yellow"
        where = f"{report.file}:{f.line}" if f.line else report.file
        label = i18n.t(f"data.severity.{f.severity}")
        field = f" ({escape(f.field)})" if f.field else ""
        console.print(f"[bold]{escape(where)}[/]: [{color}]{label}[/] [dim]\\[{f.code}][/]{field} "
                      f"{escape(f.message())}")
        console.print(f"    [cyan]→[/] {escape(f.hint())}")
    for code, n in sorted(hidden.items()):
        console.print(f"[dim]{i18n.t('data.validate.more_hidden', count=n, code=code)}[/]")
    for code, n in sorted(report.suppressed.items()):
        console.print(f"[dim]{i18n.t('data.validate.suppressed', count=n, code=code)}[/]")
    errors, warnings = len(report.errors), len(report.warnings)
    errors += sum(n for c, n in report.suppressed.items() if c in {f.code for f in report.errors})
    if report.valid:
        key = "data.validate.summary_ok" if not warnings else "data.validate.summary_ok_warnings"
        console.print(f"[bold green]✓[/] {i18n.t(key, file=escape(report.file), examples=report.examples, warnings=warnings, task=report.task)}")
    else:
        console.print(f"[bold red]✗[/] {i18n.t('data.validate.summary_bad', file=escape(report.file), examples=report.examples, errors=errors, warnings=warnings, task=report.task)}")

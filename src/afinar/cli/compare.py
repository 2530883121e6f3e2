"""`afinar compare`: base and fine-tuned answers side by side, expected facts scored (the terminal
face of ``afinar.api.compare``)."""

from __future__ import annotations

from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option


@click.command()
@click.option("--base", required=True, help="The model before fine-tuning (catalog name, hub id or folder).")
@click.option("--tuned", required=True, help="The fine-tuned model (ft: id, run folder or folder).")
@click.option("--prompts", required=True, type=click.Path(path_type=Path),
              help="One prompt per line, or JSONL with prompt and expected facts.")
@click.option("--report", type=click.Path(path_type=Path), help="Write an .html or .md report.")
@click.option("--max-tokens", default=160, show_default=True, type=click.IntRange(1, 4096))
@click.option("--system", help="System message for both models (default: the one TUNED's training data "
                                "shared, if any; --system '' for none).")
@lang_option
def compare(base: str, tuned: str, prompts: Path, report: Path | None, max_tokens: int,
            system: str | None) -> int:
    """Ask BASE and TUNED the same prompts and show both answers with the expected facts found,
    and the share of words a spelling dictionary does not know (when hunspell is installed)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from afinar.api.chat import TRAINING_DEFAULT
    from afinar.api.chat import compare as run_compare

    result = run_compare(base, tuned, prompts, system=TRAINING_DEFAULT if system is None else system,
                         max_tokens=max_tokens)
    table = Table(title=escape(result.title), show_lines=True)
    table.add_column(i18n.t("compare.prompt"), ratio=1)
    table.add_column(escape(base), ratio=2)
    table.add_column(escape(tuned), ratio=2)
    for row in result.rows:
        cells = [f"{escape(row.answers[k])}\n[dim]{i18n.t('compare.facts')}: "
                 f"{sum(row.facts[k])}/{len(row.facts[k])}[/]" for k in ("base", "tuned")]
        table.add_row(escape(row.case.prompt), *cells)
    console = Console(highlight=False, emoji=False)
    console.print(table)
    for n, line in enumerate(result.summary):
        console.print(f"[dim]{escape(line)}[/]" if result.system and n == len(result.summary) - 1 else line)
    if report is not None:
        result.save(report)
        console.print(i18n.t("compare.report", path=str(report)))
    return 0

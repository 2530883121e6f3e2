"""`afinar compare`: base and fine-tuned answers side by side, expected facts scored."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option


def _answer_all(spec: str, prompts: list[str], max_tokens: int) -> list[str]:
    from afinar.tasks.chat.predict import generate, load

    model, tokenizer, _ = load(spec)
    answers = [generate(model, tokenizer, [{"role": "user", "content": p}], max_new_tokens=max_tokens)["text"]
               for p in prompts]
    del model
    gc.collect()
    return answers


@click.command()
@click.option("--base", required=True, help="The model before fine-tuning (catalog name, hub id or folder).")
@click.option("--tuned", required=True, help="The fine-tuned model (ft: id, run folder or folder).")
@click.option("--prompts", required=True, type=click.Path(path_type=Path),
              help="One prompt per line, or JSONL with prompt and expected facts.")
@click.option("--report", type=click.Path(path_type=Path), help="Write an .html or .md report.")
@click.option("--max-tokens", default=160, show_default=True, type=click.IntRange(1, 4096))
@lang_option
def compare(base: str, tuned: str, prompts: Path, report: Path | None, max_tokens: int) -> int:
    """Ask BASE and TUNED the same prompts and show both answers with the expected facts found."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from afinar.evaluate.compare import read_prompts, run_comparison, to_html, to_markdown, totals

    cases = read_prompts(prompts)
    rows = run_comparison(cases, {"base": base, "tuned": tuned},
                          lambda spec, ps: _answer_all(spec, ps, max_tokens))
    title = i18n.t("compare.title", base=base, tuned=tuned)
    table = Table(title=escape(title), show_lines=True)
    table.add_column(i18n.t("compare.prompt"), ratio=1)
    table.add_column(escape(base), ratio=2)
    table.add_column(escape(tuned), ratio=2)
    for row in rows:
        cells = [f"{escape(row.answers[k])}\n[dim]{i18n.t('compare.facts')}: "
                 f"{sum(row.facts[k])}/{len(row.facts[k])}[/]" for k in ("base", "tuned")]
        table.add_row(escape(row.case.prompt), *cells)
    console = Console(highlight=False)
    console.print(table)
    score = totals(rows)
    console.print(i18n.t("compare.total", base_hits=score["base"], tuned_hits=score["tuned"], total=score["total"]))
    if report is not None:
        text = (to_html(rows, title, {"base": base, "tuned": tuned}) if report.suffix.lower() in (".html", ".htm")
                else to_markdown(rows, title))
        report.write_text(text, encoding="utf-8")
        console.print(i18n.t("compare.report", path=str(report)))
    return 0

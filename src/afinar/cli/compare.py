"""`afinar compare`: base and fine-tuned answers side by side, expected facts scored."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option


def _answer_all(spec: str, prompts: list[str], max_tokens: int, system: str | None) -> list[str]:
    """Greedy answers to every prompt, decoded together by the inference core; the model is
    unloaded afterwards (the other one is loaded next)."""
    from afinar.serving import default_pool
    from afinar.tasks.chat.predict import locate

    locate(spec)  # a catalog base not pulled yet is pulled here, its license shown (as `afinar chat`)
    prefix = [{"role": "system", "content": system}] if system else []
    pool = default_pool()
    results = pool.answer_all(spec, [[*prefix, {"role": "user", "content": p}] for p in prompts],
                              max_tokens=max_tokens, temperature=0.0)
    pool.evict(spec)
    gc.collect()
    return [r["text"] for r in results]


def nonwords(rows: list, tuned: str) -> dict[str, str] | None:
    """Each model's non-word rate, with the tuned model's training words counted as known."""
    from afinar.evaluate.fluency import dictionary_available, language_of, nonword_rate

    answers = {k: [r.answers[k] for r in rows] for k in ("base", "tuned")}
    known = _training_words(tuned)
    lang = language_of(answers["tuned"] + [r.case.prompt for r in rows])
    if not dictionary_available(lang):
        return None
    rates = {k: nonword_rate(v, lang, known).rate for k, v in answers.items()}
    return {"lang": lang, **{k: f"{v:.1%}" for k, v in rates.items()}}


def _training_words(tuned: str) -> set[str]:
    import json

    from afinar.errors import AfinarError
    from afinar.tasks.chat.evaluation import known_words
    from afinar.tasks.chat.predict import locate

    try:
        target = locate(tuned)
    except AfinarError:
        return set()
    path = target.run_dir / "data" / "train.jsonl" if target.run_dir else None
    if path is None or not path.is_file():
        return set()
    return known_words([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()])


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

    from afinar.evaluate.compare import (
        read_prompts,
        run_comparison,
        to_html,
        to_markdown,
        totals,
    )
    from afinar.tasks.chat.predict import training_system_prompt

    cases = read_prompts(prompts)
    if system is None:
        system = training_system_prompt(tuned)
    rows = run_comparison(cases, {"base": base, "tuned": tuned},
                          lambda spec, ps: _answer_all(spec, ps, max_tokens, system or None))
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
    fluency = nonwords(rows, tuned)
    summary = [i18n.t("compare.total", base_hits=score["base"], tuned_hits=score["tuned"], total=score["total"])]
    if fluency is not None:
        summary.append(i18n.t("compare.nonwords", **fluency))
        console.print(summary[-1])
    if system:
        summary.append(i18n.t("compare.system", system=system))
        console.print(f"[dim]{escape(summary[-1])}[/]")
    if report is not None:
        text = (to_html(rows, title, {"base": base, "tuned": tuned}, summary)
                if report.suffix.lower() in (".html", ".htm") else to_markdown(rows, title, summary))
        report.write_text(text, encoding="utf-8")
        console.print(i18n.t("compare.report", path=str(report)))
    return 0

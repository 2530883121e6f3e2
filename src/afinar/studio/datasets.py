"""What the Datos page computes, as plain values: report tables, repairs, conversions, stats, estimates.

Nothing here imports Gradio or torch; each function takes the file the page holds and the page's
language and returns text (Markdown) and rows, so the same calls can be tested without a browser.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.errors import AfinarError
from afinar.studio.texts import tr
from afinar.studio.workspace import new_dir

# The findings table shows at most this many rows; the summary says how many more there are.
MAX_ROWS = 500
FINDING_COLUMNS = ("line", "severity", "field", "message", "hint")
# Relative widths of those columns: the message and the hint get most of the page.
FINDING_WIDTHS = ["7%", "8%", "13%", "36%", "36%"]
HISTOGRAM_BINS = 12


def error_text(err: AfinarError, lang: str) -> str:
    """An AfinarError as Markdown: what happened and how to fix it, in ``lang``."""
    override = f"studio.hint.{err.key}"
    hint = tr(override, lang, **err.params) if i18n.has(override) else err.hint(lang)
    text = f"**{tr('common.error_prefix', lang)}:** {err.message(lang)}"
    return text + (f"\n\n**{tr('common.hint_prefix', lang)}:** {hint}" if hint else "")


def validate_file(path: Path, name: str, task: str | None, lang: str) -> tuple[str, list[list[Any]], bool, str]:
    """(summary Markdown, findings rows, valid, task) of ``path`` shown as ``name``."""
    from afinar.data.validate import ValidateOptions, validate

    report = validate(path, ValidateOptions(task=task or None))
    rows = [finding_row(f.line or "—", f.severity, f.field, f.message(lang), f.code, f.hint(lang), lang)
            for f in report.sorted_findings()]
    errors, warnings = len(report.errors), len(report.warnings)
    task_name = tr(f"studio.task.{report.task}", lang)
    if report.valid:
        key = "studio.data.valid" if not warnings else "studio.data.valid_warnings"
    else:
        key = "studio.data.invalid"
    summary = tr(key, lang, file=name, examples=i18n.tn("studio.n.examples", report.examples, lang),
                 errors=i18n.tn("studio.n.errors", errors, lang), warnings=i18n.tn("studio.n.warnings", warnings, lang),
                 task=task_name)
    if len(rows) > MAX_ROWS:
        summary += "\n\n" + tr("studio.data.more_rows", lang, shown=i18n.number(MAX_ROWS, lang),
                                 total=i18n.number(len(rows), lang))
    for _code, n in sorted(report.suppressed.items()):
        summary += "\n\n" + i18n.tn("studio.data.suppressed", n, lang)
    return summary, rows[:MAX_ROWS], report.valid, report.task


def finding_hint(code: str, hint: str, lang: str, on_data_page: bool = True) -> str:
    """The studio's fix hint for a finding: the one that names this page's button (``studio.hint.<code>``)
    where the command-line hint would name a command; ``hint`` (the finding's own) otherwise."""
    key = f"studio.hint.{code}"
    if not i18n.has(key):
        return hint
    return tr(key, lang, where="" if on_data_page else tr("studio.hint.on_data_page", lang))


def finding_row(line: Any, severity: str, field: str | None, message: str, code: str, hint: str, lang: str,
                on_data_page: bool = True) -> list[Any]:
    """One row of a findings table (see FINDING_COLUMNS): what is wrong and how to fix it, in ``lang``."""
    return [line, tr(f"data.severity.{severity}", lang), field or "", message,
            finding_hint(code, hint, lang, on_data_page)]


def finding_headers(lang: str) -> list[str]:
    return [tr(f"studio.data.col.{c}", lang) for c in FINDING_COLUMNS]


def repair(path: Path, name: str) -> tuple[Path, Any]:
    """Repair ``path`` into a new workspace file; (repaired file, ``notes(lang)``: the Markdown list
    of the changes in a language, for the page to show and show again when the language changes)."""
    from functools import partial

    from afinar.data.fix import fix_file

    stem, suffix = Path(name).stem or "datos", path.suffix
    out_suffix = ".jsonl" if suffix in (".json", ".jsonl", ".jsonlines", ".ndjson") else suffix
    output = new_dir("fixed") / f"{stem}_corregido{out_suffix}"
    return output, partial(repair_notes, fix_file(path, output), output.name)


def repair_notes(result: Any, output: str, lang: str) -> str:
    """What a repair changed, line by line, and what is left to fix by hand, in ``lang``."""
    lines = []
    for change in result.changes:
        where = tr("data.fix.line", lang, line=change.line) if change.line else tr("data.fix.file", lang)
        lines.append(f"- ✓ {where}: {tr(f'data.fix.change.{change.code}', lang, line=change.line, **change.params)}")
    for change in result.unfixed:
        where = tr("data.fix.line", lang, line=change.line) if change.line else tr("data.fix.file", lang)
        key = f"data.fix.unfixed.{change.code}"
        text = tr(key, lang, **change.params) if i18n.has(key) else change.code
        lines.append(f"- ✗ {where}: {text}")
    left = i18n.tn("studio.data.left", len(result.unfixed), lang) + " " if result.unfixed else ""
    head = tr("studio.data.fixed", lang, changes=i18n.tn("studio.n.changes", len(result.changes), lang), left=left,
              output=output)
    if not result.changes:
        head = tr("studio.data.fixed_nothing", lang)
    return head + ("\n\n" + "\n".join(lines) if lines else "")


def convert(path: Path, name: str, target: str) -> tuple[Path, Any]:
    """Convert a table (CSV, Excel, JSON...) to a training file; (output, ``notes(lang)``: the Markdown summary)."""
    from functools import partial

    from afinar.data.convert import ConvertOptions, convert_file

    stem = Path(name).stem or "datos"
    output = new_dir("converted") / (f"{stem}.jsonl" if target == "chat" else f"{stem}_textcls.csv")
    result = convert_file(path, output, ConvertOptions(to=target))
    return output, partial(convert_notes, result, output.name, target)


def convert_notes(result: Any, output: str, target: str, lang: str) -> str:
    """What a conversion wrote (examples, columns used, rows skipped), in ``lang``."""
    text = tr("studio.data.converted", lang, count=i18n.number(result.written, lang), output=output,
              format=result.format, task=tr(f"studio.task.{target}", lang))
    if result.columns:
        text += "\n\n" + tr("convert.columns", lang, columns=", ".join(f"{k} ← {v}" for k, v in result.columns.items()))
    skipped = result.skipped_empty + result.skipped_roles
    if skipped:
        text += "\n\n" + i18n.tn("studio.data.skipped", len(skipped), lang, lines=", ".join(map(str, skipped[:20])))
    return text


def token_lengths(path: Path, task: str) -> list[int]:
    """Approximate tokens of every usable example (the same approximation as ``afinar data stats``)."""
    from afinar.data.tokens import approx_tokens

    if task == "chat":
        from afinar.data.chat_schema import check_example
        from afinar.data.records import iter_records

        def ignore(*args: Any, **kwargs: Any) -> None:
            return None

        out = []
        with open(path, "rb") as fh:
            for record in iter_records(fh, ignore, check_mojibake=False):
                info = check_example(record.value, record.line, ignore)
                if info is not None:
                    out.append(approx_tokens(info.chars, info.messages))
        return out
    from afinar.tasks.text_classification.data import read_examples

    examples, _, _ = read_examples(path, None, None)
    return [approx_tokens(len(text)) for text in examples.texts]


def histogram(values: list[int], bins: int = HISTOGRAM_BINS) -> list[tuple[str, int]]:
    """(range label, count) per bin of equal width; one bin when every value is the same."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = max(1, -(-(high - low + 1) // bins))
    counts = Counter((v - low) // width for v in values)
    return [(f"{low + i * width}–{low + (i + 1) * width - 1}", counts.get(i, 0))
            for i in range((high - low) // width + 1)]


def stats(path: Path, name: str, task: str, lang: str) -> tuple[str, list[tuple[str, int]]]:
    """(Markdown table of the dataset's statistics, token-length histogram rows)."""
    from afinar import i18n

    if task == "chat":
        from afinar.data.stats import chat_stats

        result = chat_stats(path)
    else:
        from afinar.data.validate import ValidateOptions, validate

        report = validate(path, ValidateOptions(task=task))
        result = {"task": task, "examples": report.examples, **report.stats}
    lengths = token_lengths(path, task)
    rows = [f"| {tr('studio.data.stat', lang)} | {tr('studio.data.value', lang)} |", "|---|---|"]
    for key, value in result.items():
        if key == "file":
            continue
        label = i18n.t(f"data.field.{key}", lang) if i18n.has(f"data.field.{key}") else key
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {stat_value(v, lang)}" for k, v in value.items()) or "—"
        elif key == "token_method":
            value = tr("data.estimate.method." + ("exact" if value != "approximate" else "approx"), lang)
        elif key == "task":
            value = tr(f"studio.task.{value}", lang) if i18n.has(f"studio.task.{value}") else value
        else:
            value = stat_value(value, lang)
        rows.append(f"| {label} | {value} |")
    title = tr("studio.data.stats_title", lang, file=name, examples=i18n.number(len(lengths), lang))
    return title + "\n\n" + "\n".join(rows), histogram(lengths)


def estimate_text(path: Path, model: str, epochs: int | None, lang: str, name: str | None = None) -> str:
    """The estimate as Markdown (``afinar data estimate``'s): epochs, trained tokens, local time and
    OpenAI's price; for preference pairs, DPO's (two sequences a pair, the reference's pass in the time).
    ``name``: the file's name as the learner knows it (the upload's, not the workspace copy's)."""
    from afinar.data.estimate import estimate

    est = estimate(path, model, epochs)
    method = tr("data.estimate.method." + ("exact" if est.token_method != "approximate" else "approx"), lang)
    lines = [
        f"### {tr('data.estimate.title', lang, file=name or Path(est.file).name, model=est.model)}",
        "- " + tr("data.estimate.pairs" if est.task == "preference" else "data.estimate.examples", lang,
                  examples=i18n.number(est.examples, lang), tokens=i18n.number(est.tokens_per_epoch, lang),
                  method=method).strip(),
    ]
    if est.epochs_source == "given":
        lines.append("- " + tr("data.estimate.epochs_given", lang, epochs=est.epochs).strip())
    lines += ["- " + tr(reason["key"], lang, **reason["params"]) for reason in est.recipe]
    lines.append("- " + tr("data.estimate.trained", lang, trained=i18n.number(est.trained_tokens, lang)).strip())
    if est.reference_tokens:
        lines.append("- " + tr("data.estimate.reference", lang,
                               tokens=i18n.number(est.reference_tokens, lang)).strip().lstrip("+ "))
    if est.local_seconds is not None:
        lines.append("- " + tr(f"data.estimate.local_{est.local_method}", lang, time=duration(est.local_seconds),
                               speed=i18n.number(est.local_tokens_per_s, lang, 0)).strip())
    else:
        lines.append("- " + tr("data.estimate.local_unknown", lang, model=est.model).strip())
    if est.openai_epochs != est.epochs:
        lines.append("- " + tr("data.estimate.openai_epochs", lang, epochs=est.openai_epochs).strip())
    lines += ["", f"| {tr('studio.data.openai_model', lang)} | USD |", "|---|---:|"]
    lines += [f"| {name} | {dollars(cost, lang)} |" for name, cost in est.openai_cost_usd.items()]
    lines += ["", f"_{tr('data.estimate.openai_note', lang).strip()}_"]
    return "\n".join(lines)


def dollars(cost: float, lang: str) -> str:
    """A price in US dollars the way ``lang`` writes it ($0.0150 / 0,015 US$), to a hundredth of a cent."""
    from babel.numbers import format_currency

    return format_currency(round(cost, 4), "USD", locale=lang, decimal_quantization=False)


def stat_value(value: Any, lang: str) -> Any:
    """A statistic as shown: a number in ``lang``'s format (1.234,5), anything else as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return i18n.number(value, lang, 1)
    return value


def duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"

"""`afinar data`: validate, fix, convert, stats, estimate and split datasets. Never imports torch."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option
from afinar.data.validate import TASKS

# Human output shows at most this many findings of one code; --json and --all show every one.
_SHOWN_PER_CODE = 10


@click.group()
@lang_option
def data() -> None:
    """Datasets: validate, fix, convert, stats, estimate, split."""


@data.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--task", type=click.Choice(TASKS),
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
        import orjson

        sys.stdout.flush()
        sys.stdout.buffer.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.buffer.flush()
    else:
        print_report(report, show_all)
    return 0 if report.valid else 1


def print_report(report, show_all: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, emoji=False)
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


@data.command()
@click.argument("source", metavar="IN", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path),
              help="Where to write the repaired file (never the input).")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as one JSON object.")
@lang_option
def fix(source: Path, output: Path, as_json: bool) -> int:
    """Repair encoding, BOM, line endings, garbled characters (mojibake), pretty-printed JSON,
    JSON arrays, trailing commas and blank lines, without guessing content.

    Prints every change with its line. Exit code 0 when the output needs nothing more, 1 when some
    lines still need a manual fix (they are kept unchanged in the output).
    """
    from afinar.data.fix import fix_file

    result = fix_file(source, output)
    if as_json:
        payload = {
            "source": result.source, "output": result.output, "mode": result.mode,
            "records": result.records,
            "changes": [{"line": c.line, "code": c.code, "message": _change_text(c)} for c in result.changes],
            "unfixed": [{"line": c.line, "code": c.code, "message": _unfixed_text(c)} for c in result.unfixed],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_fix(result)
    return 1 if result.unfixed else 0


def _change_text(change) -> str:
    return i18n.t(f"data.fix.change.{change.code}", line=change.line, **change.params)


def _unfixed_text(change) -> str:
    key = f"data.fix.unfixed.{change.code}"
    return i18n.t(key, **change.params) if i18n.has(key) else change.code


def _print_fix(result) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, emoji=False)
    for change in result.changes:
        where = i18n.t("data.fix.line", line=change.line) if change.line else i18n.t("data.fix.file")
        console.print(f"  [green]✓[/] {escape(where)}: {escape(_change_text(change))}")
    for change in result.unfixed:
        where = i18n.t("data.fix.line", line=change.line) if change.line else i18n.t("data.fix.file")
        console.print(f"  [red]✗[/] {escape(where)}: {escape(_unfixed_text(change))}")
    if not result.changes:
        console.print(i18n.t("data.fix.nothing", output=escape(result.output)))
    elif result.mode == "jsonl":
        console.print(i18n.t("data.fix.summary", output=escape(result.output), changes=len(result.changes),
                             records=result.records))
    else:
        console.print(i18n.t("data.fix.summary_text", output=escape(result.output), changes=len(result.changes)))
    if result.unfixed:
        console.print(f"[yellow]{escape(i18n.t('data.fix.left', count=len(result.unfixed), output=result.output))}[/]")
    elif result.mode == "jsonl":
        console.print(f"[dim]{escape(i18n.t('data.fix.next', output=result.output))}[/]")


@data.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--tokenizer", metavar="MODEL", help="Count tokens with this model's tokenizer.")
@click.option("--task", type=click.Choice(TASKS),
              help="What the data is for. Inferred from the file when omitted.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@lang_option
def stats(file: Path, tokenizer: str | None, task: str | None, as_json: bool) -> int:
    """Examples, messages and tokens per example (min/p50/p90/max), roles, labels and duplicates;
    for preference pairs, the tokens of the prompt and of each answer."""
    from afinar.data.validate import infer_task

    if not file.exists():
        from afinar.errors import AfinarError

        raise AfinarError("common.file_not_found", path=str(file))
    task = task or infer_task(file)
    if task == "chat":
        from afinar.data.stats import chat_stats
        from afinar.data.tokens import load_tokenizer

        result = chat_stats(file, load_tokenizer(tokenizer) if tokenizer else None)
    else:
        from afinar.data.validate import ValidateOptions
        from afinar.data.validate import validate as run_validate

        report = run_validate(file, ValidateOptions(task=task, tokenizer=tokenizer))
        result = {"file": str(file), "task": task, "examples": report.examples, **report.stats}
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_mapping(i18n.t("data.stats.title", file=str(file)), result)
    return 0


def _print_mapping(title: str, mapping: dict) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in mapping.items():
        label = i18n.t(f"data.field.{key}") if i18n.has(f"data.field.{key}") else key
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
        table.add_row(escape(label), escape(str(value)))
    Console(highlight=False, emoji=False).print(table)


def _epochs(ctx: click.Context, param: click.Parameter, value: str) -> int | None:
    if value == "auto":
        return None
    if value.isdigit() and 1 <= int(value) <= 50:
        return int(value)
    raise click.BadParameter(i18n.t("data.estimate.bad_epochs", value=value))


@data.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--model", "-m", required=True, metavar="BASE",
              help="Base model: catalog name, hub id or local folder (sets the assumed speed).")
@click.option("--epochs", default="auto", show_default=True, callback=_epochs,
              help="auto (Afinar's recipe, shown with its reasons) or a number from 1 to 50.")
@click.option("--tokenizer", metavar="MODEL", help="Count tokens with this tokenizer (default: approximate).")
@click.option("--measure/--no-measure", default=True, show_default=True,
              help="Time a few real training steps when the model is already on this machine.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@lang_option
def estimate(file: Path, model: str, epochs: int | None, tokenizer: str | None, measure: bool,
             as_json: bool) -> int:
    """Epochs, trained tokens, time on this machine and what OpenAI would charge for the same job.

    The time comes from a short measured training step when the model is already available
    locally (a pulled catalog base or a model folder) and torch is installed; otherwise it is an
    assumption stated in the output.
    """
    from afinar.data.estimate import estimate as run_estimate
    from afinar.data.tokens import load_tokenizer

    counter = load_tokenizer(tokenizer) if tokenizer else None
    result = run_estimate(file, model, epochs, counter)
    folder = _local_model_folder(model) if measure else None
    if folder is not None:
        seq_len = max(1, result.tokens_per_epoch // max(1, result.sequences))
        from afinar.engine.throughput import measure_tokens_per_s

        speed = measure_tokens_per_s(folder, seq_len)
        result = run_estimate(file, model, epochs, counter, measured_tokens_per_s=speed)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return 0
    _print_estimate(result)
    return 0


def _local_model_folder(model: str) -> Path | None:
    """The model's folder if it is already on this machine and torch is installed, else None."""
    import importlib.util

    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
        return None
    candidates = [Path(model).expanduser()]
    if "/" not in model and "\\" not in model:
        from afinar.models import model_dir

        candidates.append(model_dir(model))
    for folder in candidates:
        if (folder / "config.json").is_file() and any(folder.glob("*.safetensors")):
            return folder
    return None


def _print_estimate(est) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, emoji=False)
    t = i18n.t
    console.print(f"[bold]{escape(t('data.estimate.title', file=est.file, model=est.model))}[/]")
    console.print(t("data.estimate.pairs" if est.task == "preference" else "data.estimate.examples",
                    examples=est.examples, tokens=est.tokens_per_epoch,
                    method=t("data.estimate.method." + ("exact" if est.token_method != "approximate" else "approx"))))
    if est.epochs_source == "given":
        console.print(t("data.estimate.epochs_given", epochs=est.epochs))
    if est.recipe:
        console.print(t("data.estimate.recipe_title"))
        for reason in est.recipe:
            console.print("    " + escape(t(reason["key"], **reason["params"])))
    console.print(t("data.estimate.trained", trained=f"{est.trained_tokens:,}"))
    if est.reference_tokens:
        console.print(t("data.estimate.reference", tokens=f"{est.reference_tokens:,}"))
    if est.local_seconds is not None:
        console.print(t(f"data.estimate.local_{est.local_method}", time=_duration(est.local_seconds),
                        speed=est.local_tokens_per_s))
    else:
        console.print(t("data.estimate.local_unknown", model=escape(est.model)))
    console.print(t("data.estimate.openai_title"))
    if est.openai_epochs != est.epochs:
        console.print(t("data.estimate.openai_epochs", epochs=est.openai_epochs))
    for name, cost in est.openai_cost_usd.items():
        console.print(f"  {name:<28} ${cost:,.4f}")
    console.print(f"[dim]{escape(t('data.estimate.openai_note'))}[/]")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


from afinar.cli.data_convert import convert, split  # noqa: E402  (commands defined in their own module)

data.add_command(convert)
data.add_command(split)

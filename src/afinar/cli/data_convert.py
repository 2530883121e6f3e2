"""`afinar data convert` and `afinar data split` (registered on the `data` group in cli/data.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option

# Skipped lines listed in full up to this many; the rest are counted.
_SHOWN_LINES = 20


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="File to write: .jsonl for chat and preference; .csv (text,label) or .jsonl for text classification.")
@click.option("--to", "target", type=click.Choice(["chat", "text-classification", "preference"]), default="chat",
              show_default=True, help="What the data is for (preference: OpenAI's DPO format).")
@click.option("--user-col", metavar="C", help="Column with the user's message, or the prompt of a preference pair (default: recognized names such as pregunta, question, prompt, input).")
@click.option("--assistant-col", metavar="C", help="Column with the answer (default: respuesta, answer, response, output, completion...).")
@click.option("--chosen-col", metavar="C", help="Preference: column with the preferred answer (default: chosen, preferred, elegida, preferida...).")
@click.option("--rejected-col", metavar="C", help="Preference: column with the non-preferred answer (default: rejected, rechazada, no_preferida...).")
@click.option("--system", metavar="TEXT", help="System message added to every conversation.")
@click.option("--text-col", metavar="C", help="Column with the text to classify (default: text, texto, reseña, comentario...).")
@click.option("--label-col", metavar="C", help="Column with the label (default: label, etiqueta, categoría, clase...).")
@click.option("--sheet", metavar="NAME", help="Excel sheet to read (default: the first one).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a summary.")
@lang_option
def convert(source: Path, output: Path, target: str, user_col: str | None, assistant_col: str | None,
            chosen_col: str | None, rejected_col: str | None, system: str | None, text_col: str | None, label_col: str | None, sheet: str | None,
            as_json: bool) -> int:
    """Convert CSV/TSV, Excel, JSON, JSONL, Parquet, Alpaca or ShareGPT data to a training file.

    Chat output is OpenAI's format, one {"messages": [...]} per line; preference output is OpenAI's
    DPO format, from prompt/chosen/rejected columns or TRL's records. Never overwrites SOURCE.
    """
    from afinar.data.convert import ConvertOptions, convert_file

    options = ConvertOptions(to=target, user_col=user_col, assistant_col=assistant_col, system=system,
                             chosen_col=chosen_col, rejected_col=rejected_col,
                             text_col=text_col, label_col=label_col, sheet=sheet)
    result = convert_file(source, output, options)
    if as_json:
        payload = {"source": str(result.source), "output": str(result.output), "format": result.format,
                   "task": result.task, "shape": result.shape, "columns": result.columns,
                   "written": result.written, "skipped_empty": result.skipped_empty,
                   "skipped_roles": result.skipped_roles}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    t = i18n.t
    click.echo(t("convert.done", count=result.written, task=result.task, path=result.output,
                 source=result.source, format=result.format))
    if result.columns:
        click.echo(t("convert.columns", columns=", ".join(f"{k} ← {v}" for k, v in result.columns.items())))
    if result.skipped_empty:
        click.echo(t(f"convert.skipped.{target}", count=len(result.skipped_empty),
                     lines=_lines(result.skipped_empty)))
    if result.skipped_roles:
        click.echo(t("convert.skipped_role", count=len(result.skipped_roles),
                     lines=_lines(result.skipped_roles)))
    click.echo(t("convert.next", path=result.output))
    return 0


def _lines(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:_SHOWN_LINES]))
    return shown + (f", … (+{len(lines) - _SHOWN_LINES})" if len(lines) > _SHOWN_LINES else "")


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--valid", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.1,
              show_default=True, help="Share of the examples for validation.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same split.")
@click.option("-o", "--outdir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the two files (default: beside FILE).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a summary.")
@lang_option
def split(file: Path, valid: float, seed: int, outdir: Path | None, as_json: bool) -> int:
    """Split FILE into FILE_train and FILE_valid: stratified by label, repeated examples kept together
    (preference pairs: the pairs of one conversation)."""
    from afinar.data.split import split_file

    result = split_file(file, valid=valid, seed=seed, outdir=outdir)
    if as_json:
        payload = {"source": str(result.source), "task": result.task, "train_path": str(result.train_path),
                   "valid_path": str(result.valid_path), "train": result.train, "valid": result.valid,
                   "by_label": result.by_label, "grouped": result.grouped, "seed": seed}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    t = i18n.t
    click.echo(t("split.done_pairs" if result.task == "preference" else "split.done", train=result.train, valid=result.valid, train_path=result.train_path,
                 valid_path=result.valid_path))
    for label, (n_train, n_valid) in sorted(result.by_label.items()):
        click.echo(t("split.by_label", label=label, train=n_train, valid=n_valid))
    if result.grouped:
        click.echo(t("split.grouped_preference" if result.task == "preference" else "split.grouped",
                     count=result.grouped))
    return 0

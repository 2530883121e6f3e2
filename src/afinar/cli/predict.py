"""`afinar predict RUN ...`: use a finished run, whatever its task (the terminal face of
``afinar.api.predict``).

The run's ``meta.json`` names its task; the task registry gives that task's ``predict`` module,
whose ``load_predictor(run_dir)`` returns a predictor (see ``afinar.tasks.text_classification.predict`` for
the interface). This module only handles input and output: items on the command line, or a table
(``--input``, any format ``afinar.data.tables`` reads) written back as CSV with the input columns
plus ``label`` and ``confidence``, in the input's row order. A predictor with ``read_input(path,
column)`` reads ``--input`` itself (image runs: a folder of pictures or a table of paths).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option
from afinar.errors import AfinarError


@click.command("predict")
@click.argument("run_dir", metavar="RUN", type=click.Path(path_type=Path))
@click.argument("items", metavar="[TEXT|IMAGE]...", nargs=-1)
@click.option("--input", "-i", "input_path", type=click.Path(path_type=Path),
              help="Table to classify (CSV/TSV, JSONL, Excel), one item per row; for image runs also a "
                   "folder of pictures.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="CSV to write: the input columns plus label and confidence.")
@click.option("--column", help="Column of --input to classify (default: recognized by name, e.g. text, texto).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@lang_option
def predict(run_dir: Path, items: tuple[str, ...], input_path: Path | None, output: Path | None,
            column: str | None, as_json: bool) -> None:
    """Classify with a trained run: each text's (or picture's) label and the confidence of every class.

    \b
    afinar predict RUN "La comida estuvo deliciosa"
    afinar predict RUN --input comentarios.csv -o clasificados.csv
    afinar predict RUN_IMAGENES foto.jpg
    afinar predict RUN_IMAGENES --input fotos/ -o clasificadas.csv
    """
    if not items and input_path is None:
        raise AfinarError("predict.nothing")
    if items and input_path is not None:
        raise AfinarError("predict.both")
    if input_path is not None and output is None:
        raise AfinarError("predict.need_output")
    from afinar.api.predict import load_predictor, predict_file

    if input_path is None:
        _print_items(items, load_predictor(run_dir).predict(list(items)), as_json)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task(i18n.t("predict.progress"))
            count = predict_file(run_dir, input_path, output, column,
                                 on_batch=lambda n: progress.advance(task, n))
        click.echo(i18n.t("predict.written", count=count, path=str(output)), err=as_json)


def _print_items(items: tuple[str, ...], results: list[dict[str, float]], as_json: bool) -> None:
    if as_json:
        out = [{"input": item, "label": max(r, key=r.get), "confidence": max(r.values()), "scores": r}
               for item, r in zip(items, results)]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for item, scores in zip(items, results):
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if len(items) > 1:
            click.echo(item)
        click.echo(i18n.t("predict.result", label=ranked[0][0], confidence=ranked[0][1]))
        width = max(len(label) for label, _ in ranked)
        for label, p in ranked:
            click.echo(f"  {label:<{width}}  {p:6.1%}  {'█' * round(p * 20)}")

"""Classifiers from Python: ``predict`` (items) and ``predict_file`` (a table or a folder of pictures).

A run's ``meta.json`` names its task; the task registry gives that task's predictor (the same as
``afinar predict``, which calls these). Predictions keep the input's order.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afinar import i18n
from afinar.api.show import Shown, table_html, table_text
from afinar.errors import AfinarError

OUTPUT_COLUMNS = ("label", "confidence")


@dataclass
class Prediction:
    """One item's ``label``, its ``confidence`` and the ``scores`` of every class."""

    input: str
    label: str
    confidence: float
    scores: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {"input": self.input, "label": self.label, "confidence": self.confidence, "scores": self.scores}


class Predictions(Shown, list):
    """A list of ``Prediction``s that a notebook draws as a table."""

    def _cells(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        header = (i18n.t("api.predict.input"), i18n.t("api.mistakes.predicted"), i18n.t("api.mistakes.confidence"))
        return header, [(p.input, p.label, f"{p.confidence:.1%}") for p in self]

    def _repr_html_(self) -> str:
        return table_html(*self._cells())

    def __str__(self) -> str:
        return table_text(*self._cells())


def load_predictor(run: Any) -> Any:
    """The predictor of a finished run (its folder or a ``Run``), whatever its task."""
    from afinar.tasks import load_run

    folder = Path(getattr(run, "path", run))
    _meta, module = load_run(folder, "predict", "predict", "load_predictor")
    return module.load_predictor(folder)


def predict(run: Any, items: str | list[str]) -> Predictions:
    """Classify ``items`` (texts for a text classifier, picture paths for an image classifier)
    with a finished run: each item's label, confidence and the score of every class."""
    if isinstance(items, str):
        items = [items]
    if not items:
        raise AfinarError("predict.nothing")
    results = load_predictor(run).predict(list(items))
    return Predictions(Prediction(str(item), max(r, key=r.get), max(r.values()), r) for item, r in zip(items, results))


def predict_file(run: Any, input_path: str | Path, output: str | Path, column: str | None = None, *,
                 on_batch: Callable[[int], None] | None = None) -> int:
    """Classify every row of a table (CSV/TSV, JSONL, Excel; for image runs also a folder of
    pictures) into ``output`` (CSV: the input columns plus ``label`` and ``confidence``, in the
    input's order); returns the number of rows. ``column``: which column to classify (default:
    recognized by name, e.g. text, texto)."""
    from afinar.data.tables import read_table

    predictor = load_predictor(run)
    input_path, output = Path(input_path), Path(output)
    if output.resolve() == input_path.resolve():
        raise AfinarError("predict.same_file", path=str(output))
    reader = getattr(predictor, "read_input", None)
    if not (input_path.is_file() or (reader is not None and input_path.is_dir())):
        raise AfinarError("common.file_not_found", path=str(input_path))
    if reader is not None:
        table, items, column = reader(input_path, column)
    else:
        table = read_table(input_path)
        if column is not None and column not in table.columns:
            raise AfinarError("predict.bad_column", path=str(input_path), column=column,
                              columns=", ".join(table.columns))
        column = column or predictor.input_column(table.columns)
        if column is None:
            raise AfinarError("predict.no_column", path=str(input_path), columns=", ".join(table.columns))
        items = ["" if r.get(column) is None else str(r.get(column)) for _, r in table.records]
    names = [_free_name(name, table.columns) for name in OUTPUT_COLUMNS]
    results = predictor.predict(items, on_batch=on_batch or (lambda n: None))
    tmp = output.with_name(f".{output.name}.tmp")
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*table.columns, *names], restval="", extrasaction="ignore")
        writer.writeheader()
        for (_, record), scores in zip(table.records, results):
            label = max(scores, key=scores.get)
            writer.writerow({**record, names[0]: label, names[1]: f"{scores[label]:.4f}"})
    os.replace(tmp, output)
    return len(items)


def _free_name(name: str, columns: list[str]) -> str:
    """``label`` unless the input has one already (then ``label_predicted``)."""
    return name if name not in columns else f"{name}_predicted"

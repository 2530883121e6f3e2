"""Training pictures for image classification: validate, list them with their labels, split.

No torch here: the CLI runs all of this before the training subprocess starts, so a bad picture is
reported in seconds, with every problem at once (``afinar.data.images_validate`` for folders).

Accepted inputs:

- the course's layout ``DIR/train/<class>/*`` and ``DIR/validation/<class>/*`` (also ``val/``,
  ``valid/``); without a validation folder, ``DIR/train/<class>/*`` or ``DIR/<class>/*`` is split;
- a CSV (or any table ``afinar.data.tables`` reads) with a path and a label column; relative
  paths are relative to the CSV's folder; it is split too.

The split is stratified by class and deterministic; identical files (same bytes) always land on
the same side, so a copied picture cannot leak from training into validation. The lists the run
uses are written into the run folder (``data/train.csv``, ``data/valid.csv``: ``path,label``).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from afinar.data.findings import Report
from afinar.data.images_validate import (
    IMAGE_SUFFIXES,
    TINY_IMAGE_PX,
    _check_balance,
    _files,
    _subdirs,
    check_image,
    find_splits,
)
from afinar.data.split import assign_valid
from afinar.data.validate import ValidateOptions, validate
from afinar.errors import AfinarError

TASK = "image-classification"
PATH_COLUMNS = ("path", "ruta", "file", "archivo", "filename", "image", "imagen", "fichero")
LABEL_COLUMNS = ("label", "etiqueta", "class", "clase", "categoria", "category")
MIN_IMAGES = 10
RECOMMENDED_IMAGES = 50


@dataclass
class Items:
    """Pictures (absolute paths) and their labels, in a stable order."""

    paths: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.paths)

    def add(self, path: str, label: str) -> None:
        self.paths.append(path)
        self.labels.append(label)


@dataclass
class Splits:
    train: Items
    valid: Items
    labels: list[str]  # sorted; a label's index is its class id
    valid_from: str  # "folder" or "split"


def is_table(path: Path) -> bool:
    return path.is_file()


def check(path: Path) -> Report:
    """Every problem with the pictures at ``path`` (a folder or a ``path,label`` table)."""
    if is_table(path):
        return check_table(path)
    return validate(path, ValidateOptions(task=TASK, min_examples=MIN_IMAGES,
                                          recommended_examples=RECOMMENDED_IMAGES))


def _column(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def read_table_items(path: Path) -> tuple[list[tuple[int, str, str]], str, str]:
    """``(line, absolute path, label)`` rows of a path,label table, with the two column names."""
    from afinar.data.tables import read_table

    table = read_table(path)
    path_col, label_col = _column(table.columns, PATH_COLUMNS), _column(table.columns, LABEL_COLUMNS)
    if path_col is None or label_col is None:
        raise AfinarError("imgcls.data.columns", path=str(path), columns=", ".join(table.columns))
    rows = []
    for line, record in table.records:
        value, label = str(record.get(path_col) or "").strip(), str(record.get(label_col) or "").strip()
        if value or label:
            rows.append((line, str((path.parent / value).resolve()) if value else "", label))
    return rows, path_col, label_col


def check_table(path: Path) -> Report:
    """The image checks of the folder validator, for the rows of a path,label table."""
    report = Report(file=str(path), task=TASK)
    rows, _, label_col = read_table_items(path)  # no path or label column: an AfinarError
    counts: dict[str, int] = {}
    for line, image, label in rows:
        rel = Path(image).name if image else ""
        if not label:
            report.add(line, "missing_label", field=label_col)
            continue
        if not image or not Path(image).is_file():
            report.add(line, "file_not_found", field=rel, path=image or "-")
            continue
        if Path(image).suffix.lower() not in IMAGE_SUFFIXES:
            report.add(line, "not_an_image", field=rel)
            continue
        result = check_image(Path(image))
        if result.error is not None:
            report.add(line, "corrupt_image", field=rel, detail=result.error)
            continue
        width, height = result.size or (0, 0)
        if min(width, height) < TINY_IMAGE_PX:
            report.add(line, "tiny_image", field=rel, width=width, height=height, expected=224)
        counts[label] = counts.get(label, 0) + 1
    report.examples = sum(counts.values())
    if len(counts) < 2:
        report.add(0, "too_few_classes", count=len(counts), minimum=2)
    _check_balance(counts, report)
    if report.examples < MIN_IMAGES:
        report.add(0, "too_few_examples", count=report.examples, minimum=MIN_IMAGES)
    report.stats.update(layout="table", classes=len(counts), splits={"train": counts})
    return report


def folder_items(folder: Path) -> Items:
    """Every readable picture under ``folder/<class>/``, classes and files in sorted order."""
    items = Items()
    for class_dir in _subdirs(folder):
        for file in _files(class_dir):
            if file.suffix.lower() in IMAGE_SUFFIXES and check_image(file).error is None:
                items.add(str(file.resolve()), class_dir.name)
    return items


def _file_key(path: str) -> bytes:
    digest = hashlib.sha1()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def split_items(items: Items, fraction: float, seed: int) -> tuple[Items, Items]:
    """Stratified by label, identical files kept on one side, deterministic (``afinar data split``'s rule)."""
    keys = [_file_key(p) for p in items.paths]
    chosen = assign_valid(list(zip(keys, items.labels)), fraction, seed)
    train, valid = Items(), Items()
    for key, path, label in zip(keys, items.paths, items.labels):
        (valid if key in chosen else train).add(path, label)
    return train, valid


def load_splits(path: Path, fraction: float, seed: int) -> Splits:
    """The training and validation pictures of ``path`` (already checked with :func:`check`)."""
    if is_table(path):
        rows, _, _ = read_table_items(path)
        items = Items()
        for _, image, label in rows:
            if image and label and Path(image).is_file() and check_image(Path(image)).error is None:
                items.add(image, label)
        train, valid, source = *split_items(items, fraction, seed), "split"
    else:
        splits = find_splits(path)
        if "val" in splits:
            train, valid, source = folder_items(splits["train"]), folder_items(splits["val"]), "folder"
        else:
            train, valid = split_items(folder_items(splits["train"]), fraction, seed)
            source = "split"
    labels = sorted(set(train.labels))
    if len(labels) < 2:
        raise AfinarError("imgcls.data.one_class", path=str(path), labels=", ".join(labels) or "-")
    unseen = sorted(set(valid.labels) - set(labels))
    if unseen:
        raise AfinarError("imgcls.data.unseen_labels", path=str(path), labels=", ".join(unseen))
    if not valid:
        raise AfinarError("imgcls.data.no_valid", path=str(path))
    return Splits(train, valid, labels, source)


def write_csv(path: Path, items: Items) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "label"])
        writer.writerows(zip(items.paths, items.labels))


def read_csv(path: Path) -> Items:
    items = Items()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            items.add(row["path"], row["label"])
    return items


def dataset_digest(items: Items) -> str:
    """sha256 over the sorted (label, file sha1) pairs: the same pictures give the same digest."""
    digest = hashlib.sha256()
    for label, key in sorted((label, _file_key(p).hex()) for p, label in zip(items.paths, items.labels)):
        digest.update(f"{label}\t{key}\n".encode())
    return digest.hexdigest()

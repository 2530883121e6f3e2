"""Training data for text classification: validate, read the text and label columns, split.

No torch here: the CLI runs all of this before the training subprocess starts, so a bad file is
reported in a second, with every problem the data toolkit finds (``afinar.data.validate``).

The split the run uses is written into the run folder (``data/train.jsonl``, ``data/valid.jsonl``,
one ``{"text", "label"}`` per line), so the training process and anyone reading the run later see
exactly the examples that were used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from afinar.data.columns import find_column
from afinar.data.findings import Report
from afinar.data.split import assign_valid
from afinar.data.tables import read_table
from afinar.data.textcls_checks import text_key
from afinar.data.validate import ValidateOptions, validate
from afinar.errors import AfinarError


@dataclass
class Examples:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, text: str, label: str) -> None:
        self.texts.append(text)
        self.labels.append(label)


@dataclass
class Splits:
    train: Examples
    valid: Examples
    labels: list[str]  # sorted; a label's index is its class id
    text_column: str
    label_column: str
    valid_from: str  # "file" or "split"


def check(path: Path, *, for_validation: bool = False, explicit_columns: bool = False) -> Report:
    """The data toolkit's report on ``path``. A validation file may be small (no size warnings).
    With both columns given by flag, the validator's failure to guess them is not a problem."""
    options = ValidateOptions(task="text-classification",
                              min_examples=2 if for_validation else 10,
                              recommended_examples=0 if for_validation else 50)
    report = validate(path, options)
    if explicit_columns:
        report.findings = [f for f in report.findings if f.code != "unknown_columns"]
    return report


def read_examples(path: Path, text_column: str | None, label_column: str | None) -> tuple[Examples, str, str]:
    """Every example of ``path`` with the names of the columns that were used."""
    table = read_table(path)
    text_col = text_column or find_column(table.columns, "text", exclude=[label_column or ""])
    label_col = label_column or find_column(table.columns, "label", exclude=[text_col or ""])
    if len(table.columns) == 2 and (text_col is None) != (label_col is None):
        other = [c for c in table.columns if c != (text_col or label_col)][0]
        text_col, label_col = text_col or other, label_col or other
    for given, flag in ((text_column, "--text-column"), (label_column, "--label-column")):
        if given is not None and given not in table.columns:
            raise AfinarError("textcls.data.no_such_column", path=str(path), column=given, flag=flag,
                              columns=", ".join(table.columns))
    if text_col is None or label_col is None:
        raise AfinarError("textcls.data.columns", path=str(path), columns=", ".join(table.columns))
    examples = Examples()
    for _line, record in table.records:
        text = _cell(record.get(text_col))
        label = _cell(record.get(label_col)).strip()
        if text.strip() and label:
            examples.add(text, label)
    return examples, text_col, label_col


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def split_examples(examples: Examples, fraction: float, seed: int) -> tuple[Examples, Examples]:
    """Stratified by label, equal texts kept on one side, deterministic (``afinar data split``'s rule)."""
    keys = [text_key(t) for t in examples.texts]
    chosen = assign_valid(list(zip(keys, examples.labels)), fraction, seed)
    train, valid = Examples(), Examples()
    for key, text, label in zip(keys, examples.texts, examples.labels):
        (valid if key in chosen else train).add(text, label)
    return train, valid


def load_splits(data: Path, valid: Path | None, fraction: float, seed: int,
                text_column: str | None = None, label_column: str | None = None) -> Splits:
    train, text_col, label_col = read_examples(data, text_column, label_column)
    if valid is not None:
        valid_examples, _, _ = read_examples(valid, text_column, label_column)
        source = "file"
    else:
        train, valid_examples = split_examples(train, fraction, seed)
        source = "split"
    labels = sorted(set(train.labels))
    if len(labels) < 2:
        raise AfinarError("textcls.data.one_class", path=str(data), labels=", ".join(labels) or "-")
    unseen = sorted(set(valid_examples.labels) - set(labels))
    if unseen:
        raise AfinarError("textcls.data.unseen_labels", path=str(valid or data), labels=", ".join(unseen))
    if not valid_examples:
        raise AfinarError("textcls.data.no_valid", path=str(valid or data))
    return Splits(train, valid_examples, labels, text_col, label_col, source)


def write_jsonl(path: Path, examples: Examples) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for text, label in zip(examples.texts, examples.labels):
            fh.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> Examples:
    examples = Examples()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                examples.add(record["text"], record["label"])
    return examples

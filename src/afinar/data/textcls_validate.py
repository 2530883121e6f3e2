"""Validation of text-classification data: a CSV/TSV with text and label columns, or JSONL.

Which columns hold the text and the label (``resolve_columns``):
- a header naming both (``columns.ROLE_NAMES``: text/texto/reseña/..., label/etiqueta/clase/...);
- two columns where the header names one of them: the other holds the other role;
- two columns and no recognized name: the column with fewer distinct values is the label. The
  first row is a header only when it looks like one: its label cell is not a label used by the
  other rows and its text cell is short (at most ``HEADER_MAX_CHARS``). Otherwise every row is data;
- more than two columns without both names: ``unknown_columns`` (convert with --text-col/--label-col).

Lines are the editor's 1-based lines (``csvread``). Findings are described in ``textcls_checks``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from afinar.data.columns import find_column
from afinar.data.csvread import (MAX_LINE_CHARS, SAMPLE_BYTES, CsvRow, iter_rows, looks_binary, open_csv,
                                sniff_encoding)
from afinar.data.findings import Report
from afinar.data.textcls_checks import Example, ExampleChecker, problem
from afinar.data.validate import ValidateOptions, register_validator

HEADER_MAX_CHARS = 40
# Rows read ahead of the first one to decide whether it is a header.
LOOKAHEAD_ROWS = 200
# After these, the rows cannot be interpreted, so dataset-level checks are skipped.
_UNREADABLE = ("empty_file", "unknown_columns")
JSON_SUFFIXES = {".jsonl", ".jsonlines", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv", ".tab"}
# Spreadsheets and columnar files: `afinar data convert` turns them into CSV first.
CONVERT_FIRST = {".xlsx", ".xlsm", ".xls", ".ods", ".parquet", ".pq"}


@register_validator("text-classification")
def validate_text_classification(path: Path, options: ValidateOptions, report: Report) -> None:
    if path.suffix.lower() in CONVERT_FIRST:
        report.add(0, "unsupported_format", suffix=path.suffix)
        return
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if not sample.strip():
        report.add(0, "empty_file")
        return
    if looks_binary(sample):
        report.add(0, "invalid_csv", problem=problem("textcls.problem.binary"))
        return
    checker = ExampleChecker(options, report)
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES or (suffix not in CSV_SUFFIXES and sample.lstrip()[:1] in (b"{", b"[")):
        examples = _jsonl_examples(path, sample, report, checker)
    else:
        examples = _csv_examples(path, sample, report, checker)
    for example in examples:
        checker.add(example)
    if not any(report.count(code) for code in _UNREADABLE):
        checker.finish()


# ---- CSV


def resolve_columns(first: list[str], following: list[list[str]]) -> tuple[int, int, bool] | None:
    """``(text_index, label_index, first_row_is_header)``, or None when the columns are unknown."""
    text = find_column(first, "text")
    label = find_column(first, "label", exclude=[text] if text else [])
    if text is not None and label is not None:
        return first.index(text), first.index(label), True
    if len(first) != 2:
        return None
    if text is not None or label is not None:
        known = first.index(text if text is not None else label)
        other = 1 - known
        return (known, other, True) if text is not None else (other, known, True)
    label_index = _label_index(following or [first])
    text_index = 1 - label_index
    labels = {row[label_index].strip() for row in following if len(row) > label_index}
    header = (first[label_index].strip() not in labels and len(first[text_index]) <= HEADER_MAX_CHARS
              and bool(following))
    return text_index, label_index, header


def _label_index(rows: list[list[str]]) -> int:
    """In two-column rows, the label column is the one with fewer distinct values (ties: the second)."""
    distinct = [len({row[i].strip() for row in rows if len(row) > i}) for i in (0, 1)]
    return 0 if distinct[0] < distinct[1] else 1


def _csv_examples(path: Path, sample: bytes, report: Report, checker: ExampleChecker) -> Iterator[Example]:
    source = open_csv(path, sample)
    try:
        report.stats.update(encoding=source.encoding, delimiter=source.delimiter)
        rows = (row for row in iter_rows(source) if not _blank(row, report))
        first = next(rows, None)
        if first is None:
            report.add(0, "empty_file")
            return
        ahead = [row for _, row in zip(range(LOOKAHEAD_ROWS), rows)]
        resolved = resolve_columns(first.cells, [r.cells for r in ahead])
        if resolved is None:
            report.add(first.line, "unknown_columns", columns=", ".join(first.cells) or "—")
            return
        text_i, label_i, header = resolved
        names = (first.cells[text_i], first.cells[label_i]) if header else ("text", "label")
        checker.fields = names
        report.stats.update(header=header, columns={"text": names[0], "label": names[1]})
        width = len(first.cells)
        data = ahead if header else [first, *ahead]
        for row in _chain(data, rows):
            example = _row_example(row, width, text_i, label_i, report)
            if example is not None:
                yield example
    finally:
        source.close()


def _chain(first: list[CsvRow], rest: Iterator[CsvRow]) -> Iterator[CsvRow]:
    yield from first
    yield from rest


def _blank(row: CsvRow, report: Report) -> bool:
    """Report what is wrong with ``row`` as such; True when it holds nothing to check."""
    if row.had_nul:
        report.add(row.line, "invalid_csv", problem=problem("textcls.problem.nul"))
    if row.too_long:
        report.add(row.line, "invalid_csv", problem=problem("textcls.problem.too_long",
                                                            limit_mb=MAX_LINE_CHARS >> 20))
    if row.error is not None:
        report.add(row.line, "invalid_csv", problem=problem("textcls.problem.csv_error", detail=row.error))
    return not any(cell.strip() for cell in row.cells)


def _row_example(row: CsvRow, width: int, text_i: int, label_i: int, report: Report) -> Example | None:
    """The example in ``row``, or None (counted, with a finding) when the row cannot be read."""
    if row.unclosed_quote or len(row.cells) > width:
        report.examples += 1
    if row.unclosed_quote:
        report.add(row.line, "invalid_csv", problem=problem("textcls.problem.unclosed_quote",
                                                            end_line=row.end_line))
        return None
    if len(row.cells) > width:
        report.add(row.line, "invalid_csv", problem=problem("textcls.problem.field_count",
                                                            found=len(row.cells), expected=width))
        return None
    cells = row.cells + [""] * (width - len(row.cells))
    return Example(row.line, cells[text_i], cells[label_i])


# ---- JSONL


def _jsonl_examples(path: Path, sample: bytes, report: Report, checker: ExampleChecker) -> Iterator[Example]:
    """Examples of a JSONL (or JSON array) file, read by ``records.iter_records``: its text-level
    findings (encoding, BOM, mojibake, trailing commas, pretty-printed objects...) are the chat ones."""
    from afinar.data.records import iter_records

    report.stats.update(encoding=sniff_encoding(sample))
    keys: tuple[str | None, str | None] | None = None
    with open(path, "rb") as fh:
        for record in iter_records(fh, report.add):
            value = record.value
            if not isinstance(value, dict):
                report.add(record.line, "data_type", type=type(value).__name__)
                continue
            if keys is None:
                keys = (find_column(list(value), "text"), find_column(list(value), "label"))
                if keys[0] is None or keys[1] is None:
                    report.add(record.line, "unknown_columns", columns=", ".join(map(str, value)) or "—")
                    return
                checker.fields = keys
                report.stats.update(columns={"text": keys[0], "label": keys[1]})
            yield Example(record.line, _as_text(value.get(keys[0])), _as_text(value.get(keys[1])))


def _as_text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

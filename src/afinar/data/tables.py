"""Reading any supported input as a list of records: CSV/TSV, Excel .xlsx, JSON, JSONL, Parquet.

``read_table(path, sheet=None)`` returns a ``Table``: the column names in order of first
appearance and ``(line, record)`` pairs, where ``line`` is where the record starts in the file
(the row number for Excel, the row index + 1 for Parquet). Readers are chosen from a table of
suffixes; a file with an unknown suffix is read as JSON if it starts with ``[`` or ``{`` and as
CSV otherwise. Problems become ``AfinarError`` with the file, the line and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afinar.data.csvread import SAMPLE_BYTES, iter_rows, open_csv
from afinar.errors import AfinarError

# JSON(L) problems after which records were lost: converting would silently drop data.
_LOSSY_JSON = ("invalid_json", "line_too_long", "data_type")


@dataclass
class Table:
    columns: list[str] = field(default_factory=list)
    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    format: str = ""

    def add(self, line: int, record: dict[str, Any]) -> None:
        for key in record:
            if key not in self.columns:
                self.columns.append(key)
        self.records.append((line, record))


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Every record of ``path``; ``sheet`` picks the Excel sheet (default: the first one)."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix) or _sniff_reader(path, suffix)
    table = reader(path, sheet)
    if not table.records:
        raise AfinarError("convert.no_records", path=str(path))
    return table


def _sniff_reader(path: Path, suffix: str) -> Callable[[Path, str | None], Table]:
    if suffix in (".xls", ".ods", ".numbers", ".doc", ".docx", ".pdf"):
        raise AfinarError("convert.unsupported", suffix=suffix)
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return _read_json if head[:1] in (b"[", b"{") else _read_csv


def _read_csv(path: Path, sheet: str | None) -> Table:
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    source = open_csv(path, sample)
    table = Table(format=f"CSV ({_delimiter_name(source.delimiter)}, {source.encoding})")
    header: list[str] | None = None
    try:
        for row in iter_rows(source):
            if not (row.error or row.too_long or any(cell.strip() for cell in row.cells)):
                continue
            if header is None:
                header = _unique([cell.strip() for cell in row.cells])
                table.columns = list(header)
                continue
            if row.unclosed_quote or row.error or row.too_long or len(row.cells) > len(header):
                raise AfinarError("convert.bad_csv_row", path=str(path), line=row.line)
            table.records.append((row.line, dict(zip(header, row.cells))))
    finally:
        source.close()
    return table


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(delimiter, repr(delimiter))


def _unique(names: list[str]) -> list[str]:
    """Column names made unique (a second "texto" becomes "texto_2"), empty ones named by position."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names, start=1):
        name = name or f"column_{i}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as err:
        raise AfinarError("convert.unreadable", path=str(path), format="Excel (.xlsx)",
                          detail=str(err)) from err
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise AfinarError("convert.no_sheet", sheet=sheet, sheets=", ".join(workbook.sheetnames))
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        table = Table(format=f"Excel ({worksheet.title})")
        header: list[str] | None = None
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = _unique([c.strip() for c in cells])
                table.columns = list(header)
                continue
            table.records.append((number, dict(zip(header, cells))))
    finally:
        workbook.close()
    return table


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_json(path: Path, sheet: str | None) -> Table:
    from afinar.data.records import iter_records

    problems: list[tuple[int, str, dict[str, Any]]] = []

    def add(line: int, code: str, *args: Any, **params: Any) -> None:
        problems.append((line, code, params))

    table = Table(format="JSON")
    with open(path, "rb") as fh:
        for record in iter_records(fh, add, check_mojibake=False):
            if isinstance(record.value, dict):
                table.add(record.line, record.value)
            else:
                add(record.line, "data_type", detail=type(record.value).__name__)
    lost = [p for p in problems if p[1] in _LOSSY_JSON]
    if lost:
        line, _, params = lost[0]
        detail = params.get("detail") or params.get("type") or lost[0][1]
        raise AfinarError("convert.bad_json_line", path=str(path), line=line, detail=detail)
    table.format = "JSON array" if any(p[1] == "json_array" for p in problems) else "JSONL"
    return _unwrap(table)


def _unwrap(table: Table) -> Table:
    """``{"data": [{...}, ...]}``: a single object holding one list of records is that list."""
    if len(table.records) != 1:
        return table
    line, only = table.records[0]
    lists = [v for v in only.values() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
    if len(lists) != 1 or len(only) > 2 or "messages" in only or "conversations" in only:
        return table
    inner = Table(format=table.format)
    for item in lists[0]:
        inner.add(line, item)
    return inner


def _read_parquet(path: Path, sheet: str | None) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise AfinarError("convert.parquet_missing") from err
    import pyarrow

    try:
        rows = pq.read_table(path).to_pylist()
    except (pyarrow.ArrowException, OSError) as err:
        raise AfinarError("convert.unreadable", path=str(path), format="Parquet", detail=str(err)) from err
    table = Table(format="Parquet")
    for i, row in enumerate(rows, start=1):
        table.add(i, row)
    return table


_READERS: dict[str, Callable[[Path, str | None], Table]] = {
    ".csv": _read_csv, ".tsv": _read_csv, ".tab": _read_csv, ".txt": _read_csv,
    ".xlsx": _read_xlsx, ".xlsm": _read_xlsx,
    ".json": _read_json, ".jsonl": _read_json, ".jsonlines": _read_json, ".ndjson": _read_json,
    ".parquet": _read_parquet, ".pq": _read_parquet,
}

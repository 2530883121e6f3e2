"""Reading CSV/TSV files as people save them: any delimiter, any encoding, quoted line breaks.

``open_csv`` sniffs the encoding (``textio.detect_encoding`` on a sample) and the delimiter
(``sniff_delimiter``), then streams the file. ``iter_rows`` yields one ``CsvRow`` per record with
the 1-based line where it starts and ends as an editor shows them, so a quoted field spanning
three lines moves the following rows down by two. NUL bytes are removed from the cells and
reported through ``CsvRow.had_nul``; they never raise.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from afinar.data.textio import BOM_UTF8, UTF16_BOMS, detect_encoding

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
# A sample with more control bytes (NUL and others, not tab or line breaks) than this fraction is
# a binary file, not text.
BINARY_CONTROL_FRACTION = 0.02
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
# Rows looked at to choose the delimiter.
SNIFF_ROWS = 50

csv.field_size_limit(1 << 30)


@dataclass(slots=True)
class CsvRow:
    line: int  # first line of the record, 1-based
    end_line: int  # last line of the record (> line when a quoted field holds line breaks)
    cells: list[str]
    had_nul: bool = False
    unclosed_quote: bool = False


@dataclass(slots=True)
class CsvSource:
    """An open CSV stream and what was sniffed about it."""

    stream: TextIO
    encoding: str
    delimiter: str
    had_bom: bool

    def close(self) -> None:
        self.stream.close()


def sniff_encoding(sample: bytes) -> str:
    """Like ``detect_encoding``, but a sample cut in the middle of a UTF-8 character is still UTF-8."""
    if sample.startswith(BOM_UTF8):
        return "utf-8-sig"
    if not sample.startswith(UTF16_BOMS):
        try:
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    return detect_encoding(sample)


def looks_binary(sample: bytes) -> bool:
    """True for samples that are clearly not text (many control bytes, and no UTF-16 BOM)."""
    if not sample or sample.startswith(UTF16_BOMS):
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > BINARY_CONTROL_FRACTION


def sniff_delimiter(text: str, suffix: str = "") -> str:
    """The delimiter that splits the first rows of ``text`` into the most, equally long rows.

    A ``.tsv``/``.tab`` file is tab-separated unless tabs do not split its first line at all.
    """
    if suffix.lower() in (".tsv", ".tab") and "\t" in text.split("\n", 1)[0]:
        return "\t"
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        widths = [len(row) for row in _first_rows(text, delim) if row]
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for w in widths if w == widths[0])
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = delim, score
    return best


def _first_rows(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append(row)
        if len(rows) >= SNIFF_ROWS:
            break
    # The sample may end in the middle of a record: drop the last row unless it is the only one.
    return rows[:-1] if len(rows) > 1 else rows


def open_csv(path: Path, sample: bytes | None = None) -> CsvSource:
    """Open ``path`` for ``iter_rows`` with its sniffed encoding and delimiter."""
    if sample is None:
        with open(path, "rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
    encoding = sniff_encoding(sample)
    had_bom = sample.startswith(BOM_UTF8) or sample.startswith(UTF16_BOMS)
    head = sample.decode(encoding, errors="replace").lstrip("\ufeff")
    delimiter = sniff_delimiter(head, path.suffix)
    stream = open(path, encoding=encoding, errors="replace", newline="")
    return CsvSource(stream, encoding, delimiter, had_bom)


def iter_rows(source: CsvSource) -> Iterator[CsvRow]:
    """Every record of ``source``, blank lines included (as empty ``cells``).

    A last record that opens a quote and never closes it (which swallows the rest of the file)
    comes with ``unclosed_quote`` set.
    """
    lines = _LineTape(source.stream)
    reader = csv.reader(lines, delimiter=source.delimiter)
    previous = 0
    for cells in reader:
        had_nul = any("\x00" in cell for cell in cells)
        if had_nul:
            cells = [cell.replace("\x00", "") for cell in cells]
        row = CsvRow(previous + 1, reader.line_num, cells, had_nul)
        if row.end_line > row.line and lines.at_end():
            row.unclosed_quote = quote_is_unclosed("".join(lines.record), source.delimiter)
        lines.record.clear()
        yield row
        previous = reader.line_num


class _LineTape:
    """Feeds lines to ``csv.reader`` and keeps those of the record being read."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.record: list[str] = []
        self.first = True
        self.done = False

    def __iter__(self) -> _LineTape:
        return self

    def __next__(self) -> str:
        line = self.stream.readline()
        if not line:
            self.done = True
            raise StopIteration
        if self.first:
            line = line.lstrip("\ufeff")
            self.first = False
        self.record.append(line)
        return line

    def at_end(self) -> bool:
        if self.done:
            return True
        position = self.stream.tell() if self.stream.seekable() else None
        if position is None:
            return False
        more = self.stream.read(1)
        self.stream.seek(position)
        return not more


def rows_from_text(text: str, delimiter: str) -> Iterator[CsvRow]:
    """``iter_rows`` for text already in memory (tests, converted data)."""
    source = CsvSource(io.StringIO(text, newline=""), "utf-8", delimiter, False)
    return iter_rows(source)


def quote_is_unclosed(text: str, delimiter: str) -> bool:
    """True when ``text`` (the lines of a last record) opens a quoted field that never closes."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error:
        return True
    return False

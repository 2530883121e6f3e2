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

# A line (or a quoted cell) longer than this is dropped and reported instead of filling memory.
MAX_LINE_CHARS = 64 * 1024 * 1024
# Of a record spanning many lines, this much is kept to check for an unclosed quote at the end.
RECORD_KEEP_CHARS = 1 << 20

csv.field_size_limit(MAX_LINE_CHARS)


@dataclass(slots=True)
class CsvRow:
    line: int  # first line of the record, 1-based
    end_line: int  # last line of the record (> line when a quoted field holds line breaks)
    cells: list[str]
    had_nul: bool = False
    unclosed_quote: bool = False
    too_long: bool = False  # a line longer than MAX_LINE_CHARS was dropped
    error: str | None = None  # what the csv module said when it could not read the record


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

    Never raises on bad content: NUL bytes are removed (``had_nul``), a line over
    ``MAX_LINE_CHARS`` is dropped (``too_long``), a record the csv module rejects comes back empty
    with ``error`` set, and a last record that opens a quote and never closes it (swallowing the
    rest of the file) comes with ``unclosed_quote`` set.
    """
    tape = _LineTape(source.stream)
    reader = csv.reader(tape, delimiter=source.delimiter)
    previous = 0
    while True:
        error = None
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            cells, error = [], str(err)
        row = CsvRow(previous + 1, max(reader.line_num, previous + 1), cells, tape.had_nul,
                     too_long=tape.too_long, error=error)
        if row.end_line > row.line and tape.at_end():
            row.unclosed_quote = quote_is_unclosed("".join(tape.record), source.delimiter)
        tape.next_record()
        yield row
        previous = row.end_line


class _LineTape:
    """Feeds lines to ``csv.reader``; remembers the start of the record being read and its flaws."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.record: list[str] = []
        self.record_chars = 0
        self.had_nul = False
        self.too_long = False
        self.first = True
        self.done = False

    def __iter__(self) -> _LineTape:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_LINE_CHARS)
        if not line:
            self.done = True
            raise StopIteration
        if self.first:
            line = line.lstrip("\ufeff")
            self.first = False
        if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            self._skip_rest_of_line()
            self.too_long = True
            line = "\n"
        if "\x00" in line:
            self.had_nul = True
            line = line.replace("\x00", "")
        if self.record_chars < RECORD_KEEP_CHARS:
            self.record.append(line)
            self.record_chars += len(line)
        return line

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self.stream.readline(MAX_LINE_CHARS)
            if not chunk or chunk.endswith(("\n", "\r")):
                return

    def next_record(self) -> None:
        self.record.clear()
        self.record_chars = 0
        self.had_nul = self.too_long = False

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
